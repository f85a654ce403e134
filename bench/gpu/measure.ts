/**
 * One backend's part of the GPU kit: starts the backend, checks that the small DeepLabv3+ with its
 * trained weights gives its segmentation (logits saved for the cross-backend comparison), then runs
 * the plan's cells through `schedule`, and records memory. Each backend runs in its own process
 * (see `run.sh`): its memory peak is its own, and a lost GPU device cannot take the wasm and cpu
 * rows with it. The JSON is rewritten after every run, so a run stopped by its time limit still
 * leaves what it measured.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, normalize } from 'node:path';
import {
  type BackendName,
  type CompilerHost,
  type Graph,
  SegModel,
  compile,
  explain,
  hasErrors,
  initialWeights,
  registerGradients,
  renderDiagnostics,
  selectBackend,
  summarize,
  weightDeclarations,
} from '../../src/index.js';
import type { SizeSpace } from '../../src/shapes/sizes.js';
import { readImage } from '../../src/runtime/node/image-io.js';
import { loadWeights } from '../../src/runtime/node/weights-fs.js';
import { AGREEMENT, type Case, type PlanName, planCases } from './plan.js';
import { type Cell, type CellResult, schedule } from './schedule.js';
import { type AdapterReport, type DeviceWatch, installDawn, watchDevice } from './webgpu.js';

export interface MeasureOptions {
  readonly backend: BackendName;
  readonly plan: PlanName;
  /** Folder holding `examples/`, `std/` and `weights/` (the kit, or the repository). */
  readonly root: string;
  readonly out: string;
  readonly budgetSeconds: number;
  readonly minReps: number;
  readonly maxReps: number;
}

export interface CellMemory {
  /** tfjs tensor bytes alive at the peak of one steady run (`tf.profile` peakBytes). */
  peakTensorBytes?: number;
  /** WebGPU: bytes of GPU buffers allocated by tfjs's buffer pool after the cell's first run (the pool only grows, so this is a high-water mark). */
  gpuBytesAllocated?: number;
  /** Tensors left alive by a steady run with its outputs disposed (0 = no leak). */
  leakedTensors: number;
}

/** Rewritten as the run goes; `finished` is false in the file of a run that was stopped. */
export interface BackendReport {
  readonly backend: BackendName;
  readonly reason: string;
  readonly adapter?: AdapterReport;
  /** Why the backend did not start; then every cell is skipped. */
  readonly unavailable?: string;
  readonly plan: PlanName;
  readonly budgetSeconds: number;
  cells: (CellResult & { readonly case: Case; readonly gflops?: number; readonly memory?: CellMemory })[];
  agreement?:
    | { readonly status: 'ok'; readonly logits: string; readonly shape: number[]; readonly ms: number }
    | { readonly status: 'failed'; readonly reason: string };
  readonly process: { maxRssBytes: number; node: string };
  finished: boolean;
}

/** `std/...` from the root's std folder, everything else relative to the importing file. */
export function rootHost(root: string): CompilerHost {
  return {
    readFile(path) {
      const absolute = join(root, path);
      return existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
    },
    resolveImport(from, specifier) {
      return specifier.startsWith('std/') ? specifier : normalize(join(dirname(from), specifier));
    },
  };
}

function compileModel(root: string, file: string): { graph: Graph; sizes: SizeSpace } {
  const result = compile(file, rootHost(root));
  const compiled = result.models.find((m) => m.graph);
  if (hasErrors(result.diagnostics) || !compiled?.graph)
    throw new Error(`${file} does not compile:\n${renderDiagnostics(result.diagnostics, result.sources)}`);
  return { graph: compiled.graph, sizes: compiled.sizes };
}

/** GFLOPs of one image at the case's size, from segc's own summary. */
function gflopsPerImage(graph: Graph, sizes: SizeSpace, height: number, width: number): number {
  const shape = graph.nodes[graph.inputs[0]!.node]!.type.shape;
  const fixed = new Map<string, number>();
  for (const [axis, value] of [
    [1, height],
    [2, width],
  ] as const) {
    const size = shape[axis];
    if (size?.kind === 'sym') fixed.set(size.name, value);
  }
  return (summarize(graph, sizes.withFixed(fixed)).totalFlops ?? Number.NaN) / 1e9;
}

async function startBackend(name: BackendName): Promise<{ reason: string; adapter?: AdapterReport }> {
  tf.env().set('PROD', true);
  const adapter = name === 'webgpu' ? await installDawn() : undefined;
  const choice = await selectBackend(name);
  registerGradients();
  return { reason: choice.reason, ...(adapter ? { adapter } : {}) };
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(`${path}.partial`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${path}.partial`, path);
}

async function agreement(root: string, out: string, backend: BackendName): Promise<BackendReport['agreement']> {
  const start = performance.now();
  const { graph, sizes } = compileModel(root, AGREEMENT.file);
  const expected = weightDeclarations(graph).map((d) => ({ name: d.name, shape: d.shape, dtype: d.dtype }));
  const tensors = await loadWeights(join(root, AGREEMENT.weights), expected);
  const model = SegModel.fromTensors(graph, sizes, tensors);
  tf.dispose([...tensors.values()]);
  const image = await readImage(join(root, AGREEMENT.image));
  try {
    const outputs = model.predict(image);
    const values = await outputs.logits!.data();
    const file = join(dirname(out), `agreement-${backend}.f32`);
    writeFileSync(file, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    const shape = outputs.logits!.shape;
    tf.dispose(Object.values(outputs));
    // Named relative to the report's folder, where `report` reads it back.
    return { status: 'ok', logits: basename(file), shape, ms: performance.now() - start };
  } finally {
    image.dispose();
    model.dispose();
  }
}

interface Loaded {
  readonly model: SegModel;
  readonly graph: Graph;
  readonly sizes: SizeSpace;
}

/** One model per file, on seeded random weights: speed does not depend on the values. */
function loadModels(root: string, cases: readonly Case[]): Map<string, Loaded> {
  const models = new Map<string, Loaded>();
  for (const file of new Set(cases.map((c) => c.file))) {
    const { graph, sizes } = compileModel(root, file);
    const tensors = initialWeights(graph, 0);
    models.set(file, { model: SegModel.fromTensors(graph, sizes, tensors), graph, sizes });
    tf.dispose([...tensors.values()]);
  }
  return models;
}

/**
 * A forward run ends when the model's last output (DeepLabv3+: the mask; ResNet-50: the
 * probabilities) is on the host; a Grad-CAM run when the maps are. Downloading DeepLabv3+'s
 * logits instead would time a 700 MB copy at 1025×1025, batch 8.
 */
async function runCase(model: SegModel, input: tf.Tensor, task: Case['task']): Promise<ArrayLike<number>> {
  if (task === 'gradcam') {
    const result = await explain(model, input, { method: 'gradcam' });
    try {
      return await result.map.data();
    } finally {
      tf.dispose([result.map, result.raw]);
    }
  }
  const outputs = model.predict(input);
  try {
    return await outputs[model.outputNames.at(-1)!]!.data();
  } finally {
    tf.dispose(Object.values(outputs));
  }
}

/** A run whose results are not numbers (or maps outside [0, 1]) failed, however fast it was. */
function checkValues(values: ArrayLike<number>, task: Case['task']): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value) || (task === 'gradcam' && (value < 0 || value > 1)))
      throw new Error(`the ${task} result holds ${value} at index ${i}`);
  }
}

function makeCell(
  c: Case,
  loaded: Loaded,
  memory: CellMemory,
  watch: DeviceWatch | undefined,
): Cell & { gflops: number } {
  let input: tf.Tensor | undefined;
  let runs = 0;
  const gflops = gflopsPerImage(loaded.graph, loaded.sizes, c.height, c.width);
  return {
    id: c.id,
    gflops,
    work: gflops * c.batch,
    kind: c.task,
    async run() {
      input ??= tf.randomUniform([c.batch, c.height, c.width, 3], 0, 1, 'float32', 1);
      const before = tf.memory().numTensors;
      const values = await runCase(loaded.model, input, c.task);
      watch?.check();
      // The first run may create lasting tensors on purpose (the inference graph's folded weights).
      if (runs > 0) memory.leakedTensors = Math.max(memory.leakedTensors, tf.memory().numTensors - before);
      if (runs++ === 0) {
        checkValues(values, c.task);
        const allocated = (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU;
        if (allocated !== undefined) memory.gpuBytesAllocated = allocated;
      }
    },
  };
}

/** tf.profile's peak of live tensor bytes, one more run per cell while time is left. */
async function profilePeaks(
  cells: readonly Cell[],
  results: readonly CellResult[],
  memories: readonly CellMemory[],
  deadline: number,
): Promise<void> {
  for (const [index, result] of results.entries()) {
    if (result.status !== 'ok') continue;
    const expected = result.steady?.median ?? result.firstMs;
    if (performance.now() + 2 * expected > deadline) continue;
    try {
      const profile = await tf.profile(async () => {
        await cells[index]!.run();
        return [];
      });
      memories[index]!.peakTensorBytes = profile.peakBytes;
    } catch {
      // A profiling failure leaves the peak unknown; the timing stands.
    }
  }
}

export async function measure(options: MeasureOptions): Promise<BackendReport> {
  const deadline = performance.now() + options.budgetSeconds * 1000;
  const cases = planCases(options.plan);
  let started: Awaited<ReturnType<typeof startBackend>>;
  let unavailable: string | undefined;
  try {
    started = await startBackend(options.backend);
  } catch (error) {
    unavailable = (error as Error).message;
    started = { reason: `unavailable: ${unavailable}` };
  }
  const report: BackendReport = {
    backend: options.backend,
    ...started,
    ...(unavailable ? { unavailable } : {}),
    plan: options.plan,
    budgetSeconds: options.budgetSeconds,
    cells: cases.map((c) => ({
      id: c.id,
      status: 'skipped',
      reason: unavailable ? `${options.backend} is unavailable` : 'not reached',
      case: c,
    })),
    process: { maxRssBytes: 0, node: process.version },
    finished: unavailable !== undefined,
  };
  const save = () => {
    report.process.maxRssBytes = process.resourceUsage().maxRSS * 1024;
    writeJson(options.out, report);
  };
  if (unavailable) {
    save();
    return report;
  }
  try {
    report.agreement = await agreement(options.root, options.out, options.backend);
  } catch (error) {
    report.agreement = { status: 'failed', reason: (error as Error).message };
  }
  save();
  const models = loadModels(options.root, cases);
  const memories: CellMemory[] = cases.map(() => ({ leakedTensors: 0 }));
  const watch = options.backend === 'webgpu' ? watchDevice() : undefined;
  const cells = cases.map((c, i) => makeCell(c, models.get(c.file)!, memories[i]!, watch));
  const merge = (results: readonly CellResult[]) => {
    report.cells = results.map((r, i) => ({ ...r, case: cases[i]!, gflops: cells[i]!.gflops, memory: memories[i]! }));
  };
  // A tenth of the budget is kept for the memory profile runs.
  const budgetMs = (deadline - performance.now()) * 0.9;
  const results = await schedule(cells, {
    budgetMs,
    minReps: options.minReps,
    maxReps: options.maxReps,
    now: () => performance.now(),
    progress: (r) => (merge(r), save()),
  });
  await profilePeaks(cells, results, memories, deadline);
  merge(results);
  for (const { model } of models.values()) model.dispose();
  report.finished = true;
  save();
  return report;
}
