/**
 * Training throughput of one model in PyTorch (the module `segc build --target pytorch` writes,
 * with `segc_train.training_step`, one process on the CPU) against segc's own training step on
 * tfjs wasm, measured in the same run on the same batch shape: images per second after warm-up,
 * and their ratio. Needs /usr/bin/python3 with torch (Debian's python3-torch).
 *
 *   npx tsx bench/pytorch.ts [STEM] [BATCH] [SIZE] [STEPS]     (default deeplabv3plus_small 8 64 10)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-wasm');
const { compile } = await import('../src/compiler/compile.js');
const { nodeHost } = await import('../src/compiler/node-host.js');
const { pytorchFiles } = await import('../src/codegen/pytorch/index.js');
const { registerGradients } = await import('../src/runtime/gradients.js');
const { SegModel, weightDeclarations } = await import('../src/runtime/model.js');
const { Optimizer } = await import('../src/train/optimizer.js');
const { trainStep } = await import('../src/train/step.js');
const { inferTask } = await import('../src/train/task.js');

const [stem = 'deeplabv3plus_small', batchText = '8', sizeText = '64', stepsText = '10'] = process.argv.slice(2);
const [batch, size, steps, warmUp] = [Number(batchText), Number(sizeText), Number(stepsText), 2];
const model = compile(`examples/${stem}.seg`, nodeHost()).models[0]!;
const graph = model.graph!;
const task = inferTask(graph);
const channels = (graph.nodes[graph.inputs[0]!.node]!.type.shape[3] as { value: number }).value;
const work = mkdtempSync(join(tmpdir(), 'segc-bench-pytorch-'));

async function segcImagesPerSecond(): Promise<number> {
  tf.env().set('PROD', true);
  await tf.setBackend('wasm');
  registerGradients();
  const segModel = SegModel.random(graph, model.sizes, 0);
  const trainable = new Map(
    weightDeclarations(graph)
      .filter((d) => d.train)
      .map((d) => [d.name, segModel.weights.get(d.name)!]),
  );
  const optimizer = new Optimizer({ name: 'adam' }, trainable);
  const images = tf.randomUniform([batch, size, size, channels]);
  const truth =
    task.kind === 'segmentation'
      ? { masks: tf.randomUniform([batch, size, size], 0, task.classes, 'int32') }
      : { labels: tf.randomUniform([batch], 0, task.classes, 'int32') };
  const data = { size: batch, images, ...truth } as Parameters<typeof trainStep>[3];
  let started = 0;
  for (let step = 0; step < warmUp + steps; step++) {
    if (step === warmUp) started = performance.now();
    await trainStep(segModel, task, optimizer, data, { learningRate: 1e-3, weightDecay: 1e-4, seed: step });
  }
  return (steps * batch) / ((performance.now() - started) / 1000);
}

function torchImagesPerSecond(): number {
  for (const file of pytorchFiles({ graph, sizes: model.sizes, source: `examples/${stem}.seg`, stem, single: true }))
    writeFileSync(join(work, file.path), file.text);
  const script = `
import importlib.util, sys, time, torch
sys.path.insert(0, ${JSON.stringify(work)})
import segc_train
spec = importlib.util.spec_from_file_location("m", ${JSON.stringify(join(work, `${stem}.py`))})
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
task = ${JSON.stringify({ kind: task.kind, outputs: task.outputs, classes: task.classes })}
model = module.MODEL()
optimizer = segc_train.make_optimizer(model.parameters(), "adam", 1e-3)
batch = {"images": torch.rand(${batch}, ${size}, ${size}, ${channels})}
if task["kind"] == "segmentation": batch["masks"] = torch.randint(0, ${task.classes}, (${batch}, ${size}, ${size}))
else: batch["labels"] = torch.randint(0, ${task.classes}, (${batch},))
for step in range(${warmUp + steps}):
    if step == ${warmUp}: started = time.perf_counter()
    segc_train.training_step(model, task, optimizer, batch, 1e-3, 1e-4)
print(${steps * batch} / (time.perf_counter() - started))
`;
  const run = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return Number(run.stdout.trim());
}

try {
  const threads = spawnSync('/usr/bin/python3', ['-c', 'import torch; print(torch.get_num_threads())'], {
    encoding: 'utf8',
  }).stdout.trim();
  const segc = await segcImagesPerSecond();
  const torch = torchImagesPerSecond();
  console.log(`${stem}, batch ${batch} of ${size}×${size}, ${steps} training steps after ${warmUp} of warm-up`);
  console.log(`  segc (tfjs wasm):          ${segc.toFixed(1)} images/s`);
  console.log(`  PyTorch (CPU, ${threads} threads): ${torch.toFixed(1)} images/s`);
  console.log(`  PyTorch / segc:            ${(torch / segc).toFixed(2)}×`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
