/**
 * `segc import SRC -o DIR`: a tfjs-layers or tfjs graph model (model.json and its shards) or an
 * ONNX model (`.onnx`) as `DIR/NAME.seg`
 * and `DIR/weights/` in segc's weights format. Nothing is written when the model cannot be
 * represented exactly; an existing `.seg` or weights folder is not overwritten without
 * `--overwrite`.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { JSON_FORMATS, type JsonFormat, disposeImported, importModel } from '../../import/import.js';
import { selectBackend } from '../../runtime/backend.js';
import { writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import { saveWeights } from '../../runtime/node/weights-fs.js';
import { type Parsed, UsageError } from '../args.js';
import type { Io } from '../io.js';

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

export async function importCommand(parsed: Parsed, io: Io): Promise<number> {
  const [source, ...rest] = parsed.positionals;
  if (!source) throw new UsageError('import needs a model: model.json (or the folder holding it) or model.onnx');
  if (rest.length > 0) throw new UsageError('import takes one model');
  const out = parsed.values.output as string | undefined;
  if (!out) throw new UsageError('import needs -o DIR, the folder to write the .seg file and weights/ to');
  const from = String(parsed.values.from ?? 'auto');
  if (!(JSON_FORMATS as readonly string[]).includes(from))
    throw new UsageError(`--from must be one of ${JSON_FORMATS.join(', ')}, got \`${from}\``);
  const sizeText = parsed.values['input-size'] as string | undefined;
  let inputSize: [number, number] | undefined;
  if (sizeText !== undefined) {
    const match = /^([1-9][0-9]{0,4})x([1-9][0-9]{0,4})$/.exec(sizeText);
    if (!match) throw new UsageError(`--input-size must be HEIGHTxWIDTH, e.g. 48x192, got \`${sizeText}\``);
    inputSize = [Number(match[1]), Number(match[2])];
  }
  // Weights are only decoded and copied, never computed on: the cpu backend is enough. Production
  // mode keeps tfjs's banner suggesting tfjs-node off stderr, as for the other commands.
  tf.env().set('PROD', true);
  await selectBackend('cpu');
  const imported = await importModel(source, from as JsonFormat, { inputSize });
  try {
    const file = join(out, `${imported.name}.seg`);
    const weights = join(out, 'weights');
    if (parsed.values.overwrite !== true) {
      for (const path of [file, weights])
        if (await exists(path)) throw new UsageError(`${path} exists; give --overwrite to replace it`);
    }
    await mkdir(out, { recursive: true });
    await saveWeights(weights, imported.weights, { model: imported.modelName, generatedBy: 'segc import' });
    await writeFileAtomic(file, imported.source);
    io.out(`wrote ${file} (model ${imported.modelName}, ${imported.weights.size} weights) and ${weights}/`);
    return 0;
  } finally {
    disposeImported(imported);
  }
}
