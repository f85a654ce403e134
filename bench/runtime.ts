/**
 * The executor against the same networks assembled from tfjs-layers layers, on the same backend
 * and weights, interleaved in one run: median times, the ratio, tensor counts and peak memory.
 *
 *   npx tsx bench/runtime.ts [--backend wasm|cpu|webgpu] [--reps 5] [--quick]
 *
 * Target (issue: runtime): the executor at most 0.9× the tfjs-layers time on wasm.
 */
const tf = await import('@tensorflow/tfjs-core');
const { readFileSync } = await import('node:fs');
const { compileSource } = await import('../src/compiler/compile.js');
const { nodeHost } = await import('../src/compiler/node-host.js');
const { SegModel, weightDeclarations } = await import('../src/runtime/model.js');
const { selectBackend } = await import('../src/runtime/backend.js');
const { layersReference } = await import('./lib/layers-network.js');

const args = process.argv.slice(2);
const option = (name: string, fallback: string) =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1]! : fallback;
const backend = option('backend', 'wasm') as 'wasm' | 'cpu' | 'webgpu';
const reps = Number(option('reps', '5'));
const quick = args.includes('--quick');

const CASES = [
  { file: 'examples/deeplabv3plus.seg', shape: [1, 257, 257, 3] },
  ...(quick ? [] : [{ file: 'examples/deeplabv3plus.seg', shape: [1, 513, 513, 3] }]),
  { file: 'examples/resnet50.seg', shape: [1, 224, 224, 3] },
  { file: 'examples/gap_cam.seg', shape: [8, 28, 28, 1] },
  { file: 'examples/nin.seg', shape: [8, 28, 28, 1] },
];

function randomWeights(
  graph: Parameters<typeof weightDeclarations>[0],
): Map<string, import('@tensorflow/tfjs-core').Tensor> {
  return new Map(
    weightDeclarations(graph).map((d, i) => {
      const shape = [...d.shape];
      if (d.name.endsWith('/movingVariance'))
        return [d.name, tf.tidy(() => tf.add(tf.randomUniform(shape, 0, 1, 'float32', i), 0.5))];
      const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      return [d.name, tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', i), Math.sqrt(1 / fanIn)))];
    }),
  );
}

async function time(run: () => import('@tensorflow/tfjs-core').Tensor[]): Promise<number> {
  const start = performance.now();
  const outputs = run();
  await Promise.all(outputs.map((t) => t.data()));
  const elapsed = performance.now() - start;
  tf.dispose(outputs);
  return elapsed;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const choice = await selectBackend(backend);
tf.env().set('PROD', true);
console.log(`backend: ${choice.name} (${choice.reason}); ${reps} interleaved repetitions after one warm-up each`);
console.log(
  'model                         input            segc ms   layers ms   ratio   tensors(segc/layers)   peak MB(segc/layers)',
);
for (const { file, shape } of CASES) {
  const compiled = compileSource(readFileSync(file, 'utf8'), file, {}, nodeHost()).models[0]!;
  const weights = randomWeights(compiled.graph!);
  const model = SegModel.fromTensors(compiled.graph!, compiled.sizes, weights);
  const { model: network } = layersReference(compiled.graph!, shape, weights);
  const x = tf.randomUniform(shape);
  const ours = () => Object.values(model.predict(x));
  const theirs = () => {
    const y = network.predict(x);
    return Array.isArray(y) ? y : [y];
  };
  await time(ours);
  await time(theirs);
  const oursTimes: number[] = [];
  const theirTimes: number[] = [];
  for (let r = 0; r < reps; r++) {
    oursTimes.push(await time(ours));
    theirTimes.push(await time(theirs));
  }
  const leftOver = async (run: () => import('@tensorflow/tfjs-core').Tensor[]) => {
    const before = tf.memory().numTensors;
    let peak = 0;
    const profile = await tf.profile(() => {
      const outputs = run();
      tf.dispose(outputs);
      return [];
    });
    peak = profile.peakBytes;
    return { tensors: tf.memory().numTensors - before, peak };
  };
  const { tensors: oursTensors, peak: oursPeak } = await leftOver(ours);
  const { tensors: theirTensors, peak: theirPeak } = await leftOver(theirs);
  const [a, b] = [median(oursTimes), median(theirTimes)];
  const row = [
    file.replace('examples/', '').padEnd(30),
    shape.join('×').padEnd(16),
    a.toFixed(1).padStart(8),
    b.toFixed(1).padStart(11),
    (a / b).toFixed(2).padStart(7),
    `${oursTensors}/${theirTensors}`.padStart(22),
    `${(oursPeak / 2 ** 20).toFixed(0)}/${(theirPeak / 2 ** 20).toFixed(0)}`.padStart(22),
  ];
  console.log(row.join(''));
  tf.dispose([x, ...weights.values()]);
  network.dispose();
  model.dispose();
}
console.log(
  'tensors: tensors still alive after one call with its outputs disposed (0 = no leak); peak: tf.profile peakBytes of that call',
);
