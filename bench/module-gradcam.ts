/**
 * Grad-CAM in a generated module (`segc build --target tfjs`) as a ratio of its forward pass,
 * now and before, in one interleaved run on the same weights and input: the module this tree
 * generates (the derivative from the explained layer back to the score, on the values of one
 * forward run) against the module the commit before it generated (a second forward run inside
 * `tf.grad`, with the target's value replaced). The earlier module is read from git history, so
 * run this in a clone with its history. Random weights; the default Grad-CAM layer.
 *
 *   npx tsx bench/module-gradcam.ts [--reps 7] [--backend wasm] [--before 03407e2]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const tf = await import('@tensorflow/tfjs-core');
const { compile } = await import('../src/compiler/compile.js');
const { nodeHost } = await import('../src/compiler/node-host.js');
const { weightDeclarations } = await import('../src/runtime/model.js');
const { selectBackend } = await import('../src/runtime/backend.js');
const { generateModule, moduleNames } = await import('../src/codegen/index.js');

type Tensor = import('@tensorflow/tfjs-core').Tensor;
interface Module {
  predict(inputs: Record<string, Tensor>): Record<string, Tensor>;
  gradCam(inputs: Record<string, Tensor>): Tensor;
  dispose(): void;
}

const args = process.argv.slice(2);
const option = (name: string, fallback: string) =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1]! : fallback;
const reps = Number(option('reps', '7'));
const backend = option('backend', 'wasm');
// The last commit whose modules differentiate with tfjs gradients.
const before = option('before', '03407e2');

const CASES: { stem: string; shape: [number, number, number, number] }[] = [
  { stem: 'gap_cam', shape: [8, 28, 28, 1] },
  { stem: 'deeplabv3plus_small', shape: [1, 64, 64, 3] },
  { stem: 'resnet50', shape: [1, 224, 224, 3] },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timed(run: () => Tensor | Record<string, Tensor>): Promise<number> {
  const start = performance.now();
  const result = run();
  const tensors = result instanceof tf.Tensor ? [result] : Object.values(result);
  await Promise.all(tensors.map((t) => t.data()));
  tf.dispose(tensors);
  return performance.now() - start;
}

// Both modules must share this process's tfjs-core (and segc's runtime entry, for the earlier one).
const require = createRequire(import.meta.url);
const tfjsCore = pathToFileURL(require.resolve('@tensorflow/tfjs-core')).href;
const runtime = pathToFileURL(join(import.meta.dirname, '../src/codegen/runtime/index.ts')).href;
const directory = mkdtempSync(join(tmpdir(), 'segc-module-gradcam-'));
async function load(name: string, text: string, create: string, weights: Map<string, Tensor>): Promise<Module> {
  const path = join(directory, `${name}.ts`);
  writeFileSync(
    path,
    text
      .replace("from '@tensorflow/tfjs-core'", `from '${tfjsCore}'`)
      .replace("from 'segc/runtime'", `from '${runtime}'`),
  );
  const module = (await import(pathToFileURL(path).href)) as Record<string, (w: Map<string, Tensor>) => Module>;
  return module[create]!(weights);
}

tf.env().set('PROD', true);
await selectBackend(backend as 'wasm');
console.log(`tfjs ${tf.getBackend()}; ${reps} interleaved repetitions after one warm-up; medians in ms`);
console.log('model                forward  grad-cam now (×fwd)  grad-cam before (×fwd)  before / now');
try {
  for (const { stem, shape } of CASES) {
    const compiled = compile(`examples/${stem}.seg`, nodeHost()).models[0]!;
    const graph = compiled.graph!;
    const weights = new Map(
      weightDeclarations(graph).map((d, i) => [d.name, tf.randomNormal([...d.shape], 0, 0.05, 'float32', i)]),
    );
    const create = moduleNames(graph).create;
    const now = await load(`${stem}-now`, generateModule(compiled as never, `examples/${stem}.seg`), create, weights);
    const earlier = execFileSync('git', ['show', `${before}:tests/codegen/golden/${stem}.ts`], { encoding: 'utf8' });
    const then = await load(`${stem}-before`, earlier, create, weights);
    tf.dispose([...weights.values()]);
    const inputs = { [graph.inputs[0]!.name]: tf.randomUniform(shape, 0, 1, 'float32', 1) };
    const times: number[][] = [[], [], []];
    for (let rep = -1; rep < reps; rep++) {
      const round = [
        await timed(() => now.predict(inputs)),
        await timed(() => now.gradCam(inputs)),
        await timed(() => then.gradCam(inputs)),
      ];
      if (rep >= 0) round.forEach((t, i) => times[i]!.push(t));
    }
    const [forward, gradCam, previous] = times.map(median) as [number, number, number];
    console.log(
      [
        stem.padEnd(20),
        forward.toFixed(0).padStart(8),
        `${gradCam.toFixed(0)} (${(gradCam / forward).toFixed(2)})`.padStart(20),
        `${previous.toFixed(0)} (${(previous / forward).toFixed(2)})`.padStart(23),
        (previous / gradCam).toFixed(2).padStart(13),
      ].join(' '),
    );
    tf.dispose(Object.values(inputs));
    now.dispose();
    then.dispose();
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}
