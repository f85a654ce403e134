/**
 * The derivative of the part from the explained layer to the score on tfjs, two ways, in one
 * interleaved run on the same forward values: the derivative graph (src/onnx/tfjs-derivative.ts,
 * what `explain` uses) against tfjs's gradients of a second run of the part (what it used before).
 * Also the forward pass, so each is a fraction of it. Random weights; the default Grad-CAM layer.
 *
 *   npx tsx bench/onnx-derivative.ts [--reps 7] [--backend wasm]
 */
const tf = await import('@tensorflow/tfjs-core');
const { compile } = await import('../src/compiler/compile.js');
const { nodeHost } = await import('../src/compiler/node-host.js');
const { SegModel, weightDeclarations } = await import('../src/runtime/model.js');
const { selectBackend } = await import('../src/runtime/backend.js');
const { registerGradients } = await import('../src/runtime/gradients.js');
const { derivativeOf, differentiatedPart, targetGradient } = await import('../src/explain/explain.js');
const { choosePlan, methodInputs } = await import('../src/explain/request.js');

type Tensor = import('@tensorflow/tfjs-core').Tensor;

const args = process.argv.slice(2);
const option = (name: string, fallback: string) =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1]! : fallback;
const reps = Number(option('reps', '7'));
const backend = option('backend', 'wasm');

const CASES: { file: string; shape: [number, number, number, number]; layer?: string }[] = [
  { file: 'examples/resnet50.seg', shape: [1, 224, 224, 3] },
  { file: 'examples/deeplabv3plus.seg', shape: [1, 129, 129, 3] },
  // An early layer: the part runs through max pools.
  { file: 'examples/gap_cam.seg', shape: [8, 28, 28, 1], layer: 'features/relu_1' },
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

tf.env().set('PROD', true);
await selectBackend(backend as 'wasm');
registerGradients();
console.log(`tfjs ${tf.getBackend()}; ${reps} interleaved repetitions after one warm-up; medians in ms`);
console.log(
  'model           layer                                       part  forward  graph (×fwd)  tfjs-grad (×fwd)  tfjs-grad / graph',
);
for (const { file, shape, layer: named } of CASES) {
  const compiled = compile(file, nodeHost()).models[0]!;
  const weights = new Map(
    weightDeclarations(compiled.graph!).map((d, i) => [d.name, tf.randomNormal([...d.shape], 0, 0.05, 'float32', i)]),
  );
  const model = SegModel.fromTensors(compiled.graph!, compiled.sizes, weights);
  tf.dispose([...weights.values()]);
  const plan = choosePlan(model.graph, undefined, 'gradcam');
  const layer = methodInputs(model.graph, plan, 'gradcam', named).nodes[0]!;
  const x = tf.randomUniform(shape, 0, 1, 'float32', 1);
  const derivative = await derivativeOf(model, layer, plan.score, shape);
  if (!derivative) throw new Error(`${file}: no derivative graph for ${model.graph.nodes[layer]!.name}`);
  const part = differentiatedPart(model.graph, layer, plan.score);
  const ids = [...new Set([...derivative.reads, ...part.boundary, layer, plan.score])];
  const { kept } = model.run(x, { keep: ids });
  const values = new Map(ids.map((id) => [id, tf.clone(kept.get(id)!)]));
  tf.dispose([...kept.values()].filter((t) => t !== x));
  const selector = tf.onesLike(values.get(plan.score)!);
  const shared = new Map(part.boundary.map((id) => [id, values.get(id)!]));
  const times: number[][] = [[], [], []];
  for (let rep = -1; rep < reps; rep++) {
    const round = [
      await timed(() => model.predict(x)),
      await timed(() => derivative.run(values, selector)),
      await timed(() => targetGradient(model, x, layer, values.get(layer)!, plan.score, selector, shared)),
    ];
    if (rep >= 0) round.forEach((t, i) => times[i]!.push(t));
  }
  const [forward, graph, tape] = times.map(median) as [number, number, number];
  console.log(
    [
      model.graph.model.padEnd(15),
      model.graph.nodes[layer]!.name.slice(-42).padEnd(42),
      String(part.nodes.size).padStart(5),
      forward.toFixed(0).padStart(8),
      `${graph.toFixed(1)} (${(graph / forward).toFixed(2)})`.padStart(13),
      `${tape.toFixed(1)} (${(tape / forward).toFixed(2)})`.padStart(17),
      (tape / graph).toFixed(2).padStart(18),
    ].join(' '),
  );
  tf.dispose([x, selector, ...values.values()]);
  model.dispose();
}
