/**
 * Text from a `.seg` file cannot inject Python: a doc comment, `@name` weight names and the file
 * name hold quotes (`"""` included), backslashes, `${…}`, line breaks and unicode, and tensors
 * take names that are Python keywords or names the module uses itself (`self`, `torch`, `F`,
 * `segc`, `x`). The module compiles, runs without calling anything from that text (`pwned` is
 * not defined, so a call would fail), and predicts what the executor predicts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { pytorchFiles } from '../../src/codegen/pytorch/index.js';
import { compileSource } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import { SegModel } from '../../src/runtime/model.js';
import { type BuiltModel, weightsFor } from '../codegen/helpers.js';
import { useBackend } from '../ops/backends.js';
import { seededTensor } from '../runtime/helpers.js';
import { python, readNpy, torchMissing, writeNpy, writeWeights } from './helpers.js';

const FILE = 'odd """ name \\ "q".seg';

const SOURCE = String.raw`/// Tries to break out: """ + pwned() + """ and \"\"\" and a backslash \ at the end \
/// with 'single' and "double" quotes, unicode: größe → 日本, a line separator   here, and "
model Evil(classes: int = 3) {
  input image: f32[N, H, W, 2] where H % 4 == 0, W % 2 == 0

  let class = image -> conv(4, 3) @name("w'\"\"\"pwned()\"\"\"\\n") -> bn -> relu
  let self = class -> conv(4, 1) -> bn
  let torch = self -> relu -> maxpool(2)
  let F = torch -> conv(classes, 1)
  output segc = gap(F)
  output x = F -> upsample(like: image, mode: bilinear)
  output lambda = softmax(segc)
}
`;

const missing = torchMissing();
const work = mkdtempSync(join(tmpdir(), 'segc-pytorch-injection-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(missing !== undefined)(
  `hostile names in the PyTorch module${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    it.each(['segc', 'x', 'lambda'])(
      "compiles, calls nothing from the text, and output %s equals the executor's",
      async (output) => {
        await useBackend('cpu');
        const result = compileSource(SOURCE, FILE, {}, nodeHost());
        expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
        const model = result.models[0] as BuiltModel;
        const directory = join(work, output);
        mkdirSync(directory);
        for (const file of pytorchFiles({
          graph: model.graph,
          sizes: model.sizes,
          source: FILE,
          stem: 'evil',
          single: true,
        }))
          writeFileSync(join(directory, file.path), file.text);
        const weights = weightsFor(model, 3);
        expect([...weights.keys()].some((name) => name.includes('pwned()'))).toBe(true);
        const input = seededTensor([2, 8, 6, 2], 5);
        writeWeights(join(directory, 'w.safetensors'), weights);
        writeNpy(join(directory, 'in.npy'), input);
        const run = python(
          [
            'evil.py',
            '--weights',
            'w.safetensors',
            '--input',
            'in.npy',
            '--output',
            'out.npy',
            '--output-name',
            output,
          ],
          { cwd: directory },
        );
        expect(run.stderr).toBe('');
        const interpreter = SegModel.fromTensors(model.graph, model.sizes, weights);
        const outputs = interpreter.predict(input);
        const want = outputs[output]!.dataSync();
        const actual = readNpy(join(directory, 'out.npy'));
        expect(actual.shape).toEqual(outputs[output]!.shape);
        expect(
          Math.max(...Array.from(want, (value, index) => Math.abs(value - actual.values[index]!))),
        ).toBeLessThanOrEqual(1e-4);
        tf.dispose([...Object.values(outputs), ...weights.values(), input]);
        interpreter.dispose();
      },
    );
  },
);
