/**
 * segc on ONNX Runtime against the same network exported by PyTorch on the same ONNX Runtime,
 * and against segc on tfjs wasm, interleaved in one run on the same random weights (batch norms
 * with real statistics). Also Grad-CAM time as a ratio of a forward pass, on both executors.
 *
 *   npx tsx bench/onnx.ts [--quick] [--reps 5] [--threads 2]
 *
 * --quick: DeepLabv3+ at 129×129 and ResNet-50 only. The PyTorch peer needs Debian's
 * python3-torch (/usr/bin/python3). Targets (issue 18): segc's ONNX within 1.1× of PyTorch's
 * export on the same runtime; at least 8× faster than tfjs wasm; Grad-CAM at most 1.3× a forward
 * (and on tfjs at most 1.5×). Grad-CAM on tfjs wasm is timed with the derivative graph (what
 * explain uses) and with tfjs's gradients of the part (what it used before), each × the forward.
 */
const tf = await import('@tensorflow/tfjs-core');
const { execFileSync } = await import('node:child_process');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
const { tmpdir } = await import('node:os');
const { join } = await import('node:path');
const { compile } = await import('../src/compiler/compile.js');
const { nodeHost } = await import('../src/compiler/node-host.js');
const { writeIR } = await import('../src/ir/json.js');
const { SegModel, weightDeclarations } = await import('../src/runtime/model.js');
const { selectBackend } = await import('../src/runtime/backend.js');
const { registerGradients } = await import('../src/runtime/gradients.js');
const { derivativeOf, explain, useDerivativeGraph } = await import('../src/explain/explain.js');
const { choosePlan, methodInputs } = await import('../src/explain/request.js');
const { exportOnnx } = await import('../src/onnx/export.js');
const { OnnxEngine } = await import('../src/onnx/engine.js');
const { OnnxExplainer } = await import('../src/explain/onnx-explainer.js');
const { loadOnnxRuntime } = await import('../src/onnx/node/runtime.js');

type Tensor = import('@tensorflow/tfjs-core').Tensor;

const args = process.argv.slice(2);
const option = (name: string, fallback: string) =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1]! : fallback;
const reps = Number(option('reps', '5'));
const threads = Number(option('threads', '2'));
const quick = args.includes('--quick');
// Grad-CAM through tfjs on wasm keeps every intermediate for the backward pass; DeepLabv3+ at
// 513×513 then runs out of the wasm backend's 4 GB heap (memory access out of bounds), so it is
// measured only up to this many input pixels.
const wasmGradCamPixels = Number(option('wasm-gradcam-pixels', String(300 * 300)));

const CASES: { file: string; shape: [number, number, number, number] }[] = quick
  ? [
      { file: 'examples/deeplabv3plus.seg', shape: [1, 129, 129, 3] },
      { file: 'examples/resnet50.seg', shape: [1, 224, 224, 3] },
    ]
  : [
      { file: 'examples/deeplabv3plus.seg', shape: [1, 257, 257, 3] },
      { file: 'examples/deeplabv3plus.seg', shape: [1, 513, 513, 3] },
      { file: 'examples/resnet50.seg', shape: [1, 224, 224, 3] },
    ];

function randomWeights(graph: Parameters<typeof weightDeclarations>[0]): Map<string, Tensor> {
  return new Map(
    weightDeclarations(graph).map((d, i) => {
      const shape = [...d.shape];
      if (d.name.endsWith('/movingVariance')) return [d.name, tf.randomUniform(shape, 0.5, 1.5, 'float32', i)];
      if (d.name.endsWith('/gamma')) return [d.name, tf.randomUniform(shape, 0.5, 1.5, 'float32', i)];
      if (/\/(movingMean|beta|bias)$/.test(d.name)) return [d.name, tf.randomUniform(shape, -0.1, 0.1, 'float32', i)];
      const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      return [d.name, tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', i), Math.sqrt(1 / fanIn)))];
    }),
  );
}

/** Writes the graph and weights for the PyTorch peer and runs its export. */
function torchExport(model: InstanceType<typeof SegModel>, shape: number[], folder: string): Uint8Array {
  writeFileSync(join(folder, 'graph.json'), writeIR(model.graph));
  const declarations = weightDeclarations(model.graph);
  let offset = 0;
  const index = declarations.map((d) => {
    const entry = [d.name, d.shape, offset];
    offset += d.shape.reduce((a, b) => a * b, 1);
    return entry;
  });
  const data = new Float32Array(offset);
  declarations.forEach((d, i) =>
    data.set(model.weights.get(d.name)!.dataSync() as Float32Array, index[i]![2] as number),
  );
  writeFileSync(join(folder, 'weights.json'), JSON.stringify(index));
  writeFileSync(join(folder, 'weights.bin'), new Uint8Array(data.buffer));
  execFileSync('/usr/bin/python3', ['-W', 'ignore', 'bench/lib/torch_peer.py', folder, ...shape.map(String)], {
    stdio: ['ignore', 'ignore', 'ignore'],
    timeout: 600_000,
  });
  return readFileSync(join(folder, 'torch.onnx'));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

tf.env().set('PROD', true);
await selectBackend('wasm');
registerGradients();
const runtime = await loadOnnxRuntime();
const sessionOptions = { threads };
console.log(
  `onnxruntime-node ${threads} thread(s); tfjs wasm; ${reps} interleaved repetitions after one warm-up each; medians in ms`,
);
console.log(
  'model           input        segc-ORT  torch-ORT  segc/torch  tfjs-wasm  wasm/segc-ORT  GradCAM-ORT (×fwd)  GradCAM-wasm (×fwd)  GradCAM-wasm tfjs-grad (×fwd)  max|Δ| segc vs torch',
);
const folder = mkdtempSync(join(tmpdir(), 'segc-bench-onnx-'));
try {
  for (const { file, shape } of CASES) {
    const compiled = compile(file, nodeHost()).models[0]!;
    const weights = randomWeights(compiled.graph!);
    const model = SegModel.fromTensors(compiled.graph!, compiled.sizes, weights);
    tf.dispose([...weights.values()]);
    const ours = await OnnxEngine.create(
      runtime,
      (await exportOnnx(model.inference, model.weights)).model,
      sessionOptions,
    );
    const theirs = await OnnxEngine.create(runtime, torchExport(model, shape, folder), sessionOptions);
    const explainer = new OnnxExplainer(runtime, model, sessionOptions);
    const input = tf.randomUniform(shape, 0, 1, 'float32', 1) as import('@tensorflow/tfjs-core').Tensor4D;
    const host = { image: { data: input.dataSync() as Float32Array, dims: input.shape } };
    const [a, b] = [await ours.runArrays(host), await theirs.runArrays(host)];
    const first = model.outputNames[0]!;
    const difference = Array.from(a[first]!.data as Float32Array).reduce(
      (worst: number, v, i) => Math.max(worst, Math.abs(v - (b[first]!.data[i] as number))),
      0,
    );
    const times: Record<string, number[]> = { ours: [], theirs: [], wasm: [], camOrt: [], camWasm: [], camTape: [] };
    // The derivative graph must serve the default Grad-CAM layer, or the wasm column measures the fallback.
    const plan = choosePlan(model.graph, undefined, 'gradcam');
    const layer = methodInputs(model.graph, plan, 'gradcam', undefined).nodes[0]!;
    if (!(await derivativeOf(model, layer, plan.score, shape)))
      console.log(`${compiled.graph!.model}: the derivative graph does not serve ${model.graph.nodes[layer]!.name}`);
    const wasmForward = async () => {
      const outputs = model.predict(input);
      await Promise.all(Object.values(outputs).map((t) => t.data()));
      tf.dispose(Object.values(outputs));
    };
    const camOrt = async () => {
      const result = await explainer.explain(input, { method: 'gradcam' });
      tf.dispose([result.map, result.raw]);
    };
    const camWasm = async () => {
      const result = await explain(model, input, { method: 'gradcam' });
      await result.map.data();
      tf.dispose([result.map, result.raw]);
    };
    const camTape = async () => {
      useDerivativeGraph(false);
      try {
        await camWasm();
      } finally {
        useDerivativeGraph(true);
      }
    };
    const withWasmGradCam = shape[1] * shape[2] <= wasmGradCamPixels;
    for (let rep = -1; rep < reps; rep++) {
      const round = [
        await timed(() => ours.runArrays(host)),
        await timed(() => theirs.runArrays(host)),
        await timed(wasmForward),
        await timed(camOrt),
        withWasmGradCam ? await timed(camWasm) : Number.NaN,
        withWasmGradCam ? await timed(camTape) : Number.NaN,
      ];
      if (rep >= 0) Object.values(times).forEach((list, i) => list.push(round[i]!));
    }
    const [o, t, w, co, cw, ct] = Object.values(times).map(median) as [number, number, number, number, number, number];
    const row = [
      compiled.graph!.model.padEnd(15),
      shape.slice(1, 3).join('×').padEnd(12),
      o.toFixed(0).padStart(8),
      t.toFixed(0).padStart(10),
      (o / t).toFixed(2).padStart(11),
      w.toFixed(0).padStart(10),
      (w / o).toFixed(1).padStart(14),
      `${co.toFixed(0)} (${(co / o).toFixed(2)})`.padStart(19),
      (withWasmGradCam ? `${cw.toFixed(0)} (${(cw / w).toFixed(2)})` : 'not run (heap)').padStart(20),
      (withWasmGradCam ? `${ct.toFixed(0)} (${(ct / w).toFixed(2)})` : 'not run (heap)').padStart(30),
      difference.toExponential(1).padStart(21),
    ];
    console.log(row.join(' '));
    input.dispose();
    await Promise.all([ours.dispose(), theirs.dispose(), explainer.dispose()]);
    model.dispose();
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
