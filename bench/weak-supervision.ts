/**
 * The weak-supervision results of docs/weak-supervision.md, regenerated with fixed seeds through
 * the `segc` commands themselves (run in this process, one after the other):
 *
 * - ACoL's MaxBoxAccV2 on mnist-canvas: ACoLCanvas (examples/train/acol_canvas.seg) trained by
 *   the script, and the first ACoL (examples/acol.seg): its bundled weights, and with `--trainer
 *   torch` trained by the script as well;
 * - image labels → masks on shapes: ShapesCam (max- and average-pooling heads) trained on image
 *   labels, `segc data pseudo-masks` with the head and the refinement (`--refine walk` with α and
 *   σ, or `--refine grow` with its tolerance) chosen on the val split, precision and recall of the pseudo-masks on the training images, then DeepLabV3PlusSmall trained on them (`weakMiou`) and on the true
 *   masks with the same budget (`supervisedMiou`);
 * - a few masks: DeepLabV3PlusSmall with `--mask-share` 1%, 5%, 20% and 100%;
 * - noisy labels: `--label-noise` 0, 0.2, 0.4 with `--loss ce` and `--loss gce`.
 *
 * Two trainers. `--trainer segc` trains every model with `segc train`. `--trainer torch` (the
 * default at `--scale full` when /usr/bin/python3 has PyTorch and Pillow) builds ShapesCam, ACoL
 * and DeepLabV3PlusSmall with `segc build --target pytorch` and trains them with the generated
 * `train.py` (one process, `--threads` threads, default 1, under `nice -n 5`); segc then
 * evaluates the safetensors checkpoints (`segc eval`, `segc data pseudo-masks`). The curves' runs
 * (`--mask-share`, `--label-noise`, `--loss gce`) use the same trainer with their own budget.
 *
 * Writes bench/results/weak-supervision.json, the curves
 * bench/results/weak-supervision-{mask-share,label-noise}.svg and, with `--trainer torch`, the
 * two ACoLs' maps bench/results/weak-supervision-acol-maps.png. Every test score is on the shapes
 * test split of `segc data shapes --count 1500 --size 64 --seed 1` (150 images, the split of the
 * bundled DeepLab weights), which no run trains on.
 *
 *   npx tsx bench/weak-supervision.ts                  # small: minutes on 2 cores, checks the plumbing
 *   npx tsx bench/weak-supervision.ts --scale full     # PyTorch: over an hour on 2 cores (see the doc)
 *   options: --trainer segc|torch, --python PATH (default /usr/bin/python3), --threads N
 *   (default 1), --work DIR (default runs/weak-supervision), --results DIR (default
 *   bench/results), --reuse (keep finished PyTorch runs and tuning scores found in the work folder)
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';
import { scoreCurveSvg } from '../src/train/curve-svg.js';
import { shownArguments, shownResultPath } from './lib/shown-path.js';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'small' },
    trainer: { type: 'string' },
    python: { type: 'string', default: '/usr/bin/python3' },
    work: { type: 'string', default: 'runs/weak-supervision' },
    results: { type: 'string', default: 'bench/results' },
    reuse: { type: 'boolean', default: false },
    // One thread: on the 2 cores shared with other jobs, two OpenMP threads trained DeepLab at
    // 9 images/s where one thread gave 42.
    threads: { type: 'string', default: '1' },
  },
});

interface Scale {
  /** Images generated for ShapesCam, the pseudo-masks and the weak/supervised DeepLab runs (80% train, 10% val). */
  readonly trainCount: number;
  /** Images generated for the curves' runs (80% train). */
  readonly curveCount: number;
  /** The ShapesCam heads trained, of gmp (max pooling) and gap (average pooling). */
  readonly camHeads: readonly ('gmp' | 'gap')[];
  /** ShapesCam: epochs over the training split (steps = epochs × train / 16). */
  readonly camEpochs: number;
  /** DeepLabV3PlusSmall: epochs of every segmentation run. */
  readonly segEpochs: number;
  /** ACoLCanvas (and, with `--trainer torch`, the first ACoL) on the mnist-canvas training split (1,200 images). */
  readonly acolEpochs: number;
  /** DeepLabV3PlusSmall: epochs of each run of the curves. */
  readonly curveEpochs: number;
}

const SCALES: Readonly<Record<string, Scale>> = {
  small: {
    trainCount: 250,
    curveCount: 250,
    camHeads: ['gmp', 'gap'],
    camEpochs: 2,
    segEpochs: 1,
    acolEpochs: 1,
    curveEpochs: 1,
  },
  // ShapesCam needs about 4,500 steps of 16 on 2,400 images (see the doc): 30 epochs. On 1,200
  // images the same steps overfit (training loss 0.027, test mean AP 0.839). The average-pooling
  // head stayed near chance on 1,200 images (test mean AP 0.596) and is not trained at full scale.
  // DeepLab: weak against supervised 20 epochs of 2,400 images each (6,000 steps of 8), the
  // curves 20 epochs of 1,200 (3,000 steps; at 2 epochs, 300 steps, five of the nine runs still
  // predicted background everywhere); the recipe of training.md is 45 epochs of 1,200.
  full: {
    trainCount: 3000,
    curveCount: 1500,
    camHeads: ['gmp'],
    camEpochs: 30,
    segEpochs: 20,
    acolEpochs: 50,
    curveEpochs: 20,
  },
};
const scaleName = values.scale!;
const scale = SCALES[scaleName];
if (!scale) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`);
const python = values.python!;

/** Whether `python` can run the generated trainer (PyTorch, NumPy and Pillow). */
function pythonHasTorch(): boolean {
  const probe = spawnSync(python, ['-c', 'import torch, numpy, PIL'], { stdio: 'ignore', timeout: 120_000 });
  return probe.status === 0;
}
const trainer = values.trainer ?? (scaleName === 'full' && pythonHasTorch() ? 'torch' : 'segc');
if (trainer !== 'segc' && trainer !== 'torch') throw new Error('--trainer must be segc or torch');
if (trainer === 'torch' && values.trainer && !pythonHasTorch())
  throw new Error(`--trainer torch: ${python} cannot import torch, numpy and PIL`);

const SEED = 1;
const MASK_SHARES = [0.01, 0.05, 0.2, 1] as const;
const NOISE_RATES = [0, 0.2, 0.4] as const;
const NOISE_LOSSES = ['ce', 'gce'] as const;
// The walk's settings tried on the val split; the one (walk or growing) with the highest object F1 labels the train split.
const WALK_ALPHAS = [0.5, 1, 2, 4] as const;
const WALK_SIGMAS = [0.05, 0.1, 0.2] as const;
// Seed growing's colour tolerances and seeds per class tried on the val split, with the walk's settings.
const GROW_TOLERANCES = [0.05, 0.1, 0.2, 0.3] as const;
const GROW_SEEDS = [1, 4] as const;
const DEEPLAB = 'examples/deeplabv3plus_small.seg';
const SHAPES_CAM = 'examples/train/shapes_cam.seg';
const SHAPES_CAM_GAP = 'examples/train/shapes_cam_gap.seg';
const ACOL = 'examples/acol.seg';
const ACOL_CANVAS = 'examples/train/acol_canvas.seg';
const work = values.work!;
const started = Date.now();

function log(line: string): void {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${line}\n`);
}

/** Runs `segc ARGS`; returns what it printed on stdout. Stops the script on a non-zero exit. */
async function segc(...args: string[]): Promise<string> {
  let out = '';
  const io: Io = { out: (text) => void (out += text.endsWith('\n') ? text : `${text}\n`), err: () => {} };
  log(`segc ${args.join(' ')}`);
  const code = await main(args, io);
  if (code !== 0) throw new Error(`segc ${args.join(' ')} exited with ${code}`);
  return out;
}

// The same evaluation (ACoLCanvas's CAM and ACoL maps, for its own figures and for the scores
// by map method) is run once: an evaluation depends only on its arguments, since no run is
// trained again after it is scored.
const evaluations = new Map<string, Promise<any>>();
async function evaluate(model: string, weights: string, data: string, ...extra: string[]): Promise<any> {
  const args = ['eval', model, '--weights', weights, '--data', data, '--json', ...extra];
  const key = JSON.stringify(args);
  if (!evaluations.has(key))
    evaluations.set(
      key,
      segc(...args).then((text) => JSON.parse(text)),
    );
  return evaluations.get(key)!;
}

/** The generated PyTorch build of `model` in the work folder (made once per run of the script). */
const builds = new Map<string, string>();
async function torchBuild(model: string): Promise<string> {
  const known = builds.get(model);
  if (known) return known;
  const dir = join(work, 'torch', model.replace(/^.*\//, '').replace(/\.seg$/, ''));
  await segc('build', model, '--target', 'pytorch', '-o', dir);
  builds.set(model, dir);
  return dir;
}

/**
 * Trains `model` with its generated `train.py` into `out` (the log in `out/train.log`), one
 * process with `--threads` threads under `nice -n 5`, stopped after `limitSeconds`. With `--reuse`, a run
 * whose checkpoint has finished its epochs is kept.
 */
async function torchTrain(model: string, out: string, epochs: number, limitSeconds: number, args: string[]) {
  const state = join(out, 'checkpoint', 'train-state.json');
  if (values.reuse && existsSync(state) && JSON.parse(readFileSync(state, 'utf8')).epoch === epochs) {
    log(`kept ${out} (finished, --reuse)`);
    return;
  }
  const dir = await torchBuild(model);
  mkdirSync(out, { recursive: true });
  const command = [join(dir, 'train.py'), '--out', out, '--epochs', String(epochs), '--seed', String(SEED), ...args];
  log(`nice -n 5 ${python} ${command.join(' ')}`);
  const logFile = openSync(join(out, 'train.log'), 'w');
  const run = spawnSync('nice', ['-n', '5', 'timeout', String(limitSeconds), python, ...command], {
    stdio: ['ignore', logFile, logFile],
    env: { ...process.env, OMP_NUM_THREADS: values.threads!, MKL_NUM_THREADS: values.threads! },
  });
  closeSync(logFile);
  if (run.status !== 0) throw new Error(`${command[0]} exited with ${run.status ?? run.signal}; see ${out}/train.log`);
}

const round = (value: number | null | undefined) => (typeof value === 'number' ? Number(value.toFixed(4)) : null);

interface Scores {
  readonly miou: number | null;
  readonly pixelAccuracy: number | null;
}

const DEEPLAB_BUDGET = ['--batch', '8', '--lr', '0.003', '--flip'];

async function scoreDeeplab(weights: string): Promise<Scores> {
  const report = await evaluate(DEEPLAB, weights, test);
  return { miou: round(report.segmentation.meanIoU), pixelAccuracy: round(report.segmentation.pixelAccuracy) };
}

/** A DeepLab run of the main comparison (weak against supervised), on the chosen trainer. */
async function trainDeeplab(name: string, data: string): Promise<Scores> {
  const out = join(work, name);
  if (trainer === 'torch') await torchTrain(DEEPLAB, out, scale!.segEpochs, 3600, ['--data', data, ...DEEPLAB_BUDGET]);
  else await segcDeeplab(out, data, scale!.segEpochs);
  return scoreDeeplab(out);
}

async function segcDeeplab(out: string, data: string, epochs: number, ...extra: string[]): Promise<void> {
  await segc(
    'train',
    DEEPLAB,
    '--data',
    data,
    '--out',
    out,
    '--epochs',
    String(epochs),
    ...DEEPLAB_BUDGET,
    '--seed',
    String(SEED),
    ...extra,
  );
}

/** A DeepLab run of the curves, at the curves' budget. */
async function curveDeeplab(name: string, data: string, ...extra: string[]): Promise<Scores> {
  const out = join(work, name);
  if (trainer === 'torch')
    await torchTrain(DEEPLAB, out, scale!.curveEpochs, 3600, ['--data', data, ...DEEPLAB_BUDGET, ...extra]);
  else await segcDeeplab(out, data, scale!.curveEpochs, ...extra);
  return scoreDeeplab(out);
}

/** `segc data shapes` with these settings into `data/NAME`; returns the folder. */
async function shapes(name: string, count: number, seed: number): Promise<string> {
  const out = join(data, name);
  await segc(
    'data',
    'shapes',
    '--out',
    out,
    '--count',
    String(count),
    '--size',
    '64',
    '--seed',
    String(seed),
    '--overwrite',
  );
  return out;
}

const data = join(work, 'data');
mkdirSync(data, { recursive: true });
// The held-out split: the bundled DeepLab weights' data set; only its test split is used.
const test = join(await shapes('shapes-eval', 1500, 1), 'test');
const shapesMain = await shapes('shapes', scale.trainCount, 2);
const train = join(shapesMain, 'train');
const val = join(shapesMain, 'val');
const curveTrain =
  scale.curveCount === scale.trainCount ? train : join(await shapes('shapes-curves', scale.curveCount, 2), 'train');
await segc(
  'data',
  'mnist-canvas',
  '--out',
  join(data, 'canvas'),
  '--count',
  '1500',
  '--size',
  '64',
  '--seed',
  '1',
  '--overwrite',
);
const canvasTrain = join(data, 'canvas', 'train');
const canvasTest = join(data, 'canvas', 'test');
// A held-out canvas split made with another seed (its test split): ACoLCanvas's design was chosen
// on it, never on the test split. The two seeds draw from the same 10,000 MNIST digits, so a
// handwritten sample may appear in both, on another canvas.
await segc(
  'data',
  'mnist-canvas',
  '--out',
  join(data, 'canvas-val'),
  '--count',
  '1500',
  '--size',
  '64',
  '--seed',
  '3',
  '--overwrite',
);
const canvasVal = join(data, 'canvas-val', 'test');

// Localisation without boxes: ACoLCanvas, the ACoL built for boxes, and the first ACoL
// (examples/acol.seg), each trained on the canvas training split; the bundled ACoL weights too.
const ACOL_BUDGET = ['--batch', '32', '--lr', '0.002'];
async function trainAcol(model: string, out: string): Promise<void> {
  if (trainer === 'torch') {
    await torchTrain(model, out, scale!.acolEpochs, 3600, ['--data', canvasTrain, ...ACOL_BUDGET]);
    return;
  }
  await segc(
    'train',
    model,
    '--data',
    canvasTrain,
    '--out',
    out,
    '--epochs',
    String(scale!.acolEpochs),
    ...ACOL_BUDGET,
    '--optimizer',
    'adam',
    '--seed',
    String(SEED),
  );
}
/** An ACoL run's scores: fused map and branch A on the test split, the fused map on the held-out split. */
async function scoreAcol(model: string, weights: string) {
  const fused = await evaluate(model, weights, canvasTest, '--method', 'acol');
  const branchA = await evaluate(model, weights, canvasTest, '--method', 'cam');
  const held = await evaluate(model, weights, canvasVal, '--method', 'acol');
  return {
    model,
    weights: shownResultPath(weights, work),
    top1: round(fused.classification?.top1),
    maxBoxAcc: round(fused.localisation.maxBoxAcc),
    maxBoxAccV2: round(fused.localisation.maxBoxAccV2),
    maxBoxAccV2Levels: fused.localisation.maxBoxAccV2Levels,
    branchA: { maxBoxAcc: round(branchA.localisation.maxBoxAcc), maxBoxAccV2: round(branchA.localisation.maxBoxAccV2) },
    heldOutMaxBoxAccV2: round(held.localisation.maxBoxAccV2),
    heldOutMaxBoxAccV2Levels: held.localisation.maxBoxAccV2Levels,
  };
}
const acolBundled = await evaluate(ACOL, 'weights/acol', canvasTest, '--method', 'acol');
await trainAcol(ACOL_CANVAS, join(work, 'acol-canvas'));
const acol = await scoreAcol(ACOL_CANVAS, join(work, 'acol-canvas'));
// The first ACoL: trained by PyTorch; with segc's trainer, its bundled weights stand in.
let acolFirstWeights = 'weights/acol';
if (trainer === 'torch') {
  acolFirstWeights = join(work, 'acol');
  await trainAcol(ACOL, acolFirstWeights);
}
const acolFirst = await scoreAcol(ACOL, acolFirstWeights);
const bundled = await evaluate(DEEPLAB, 'weights/deeplabv3plus_small', test);

// Image labels → masks: ShapesCam with its max-pooling head and with an average-pooling head;
// the head, α and σ of the pseudo-masks are chosen on the val split (never on test).
const ALL_CAM_HEADS = [
  { head: 'gmp', model: SHAPES_CAM, out: join(work, 'shapes-cam') },
  { head: 'gap', model: SHAPES_CAM_GAP, out: join(work, 'shapes-cam-gap') },
] as const;
type CamHead = (typeof ALL_CAM_HEADS)[number];
const CAM_HEADS = ALL_CAM_HEADS.filter((cam) => scale.camHeads.includes(cam.head));
const CAM_BUDGET = ['--batch', '16', '--lr', '0.002', '--multi-label', '--flip'];
const camScores: Record<string, { testMeanAP: number | null; testLabelAccuracy: number | null }> = {};
for (const { head, model, out } of CAM_HEADS) {
  if (trainer === 'torch') await torchTrain(model, out, scale.camEpochs, 3600, ['--data', train, ...CAM_BUDGET]);
  else
    await segc(
      'train',
      model,
      '--data',
      train,
      '--out',
      out,
      '--epochs',
      String(scale.camEpochs),
      ...CAM_BUDGET,
      '--seed',
      String(SEED),
    );
  const report = await evaluate(model, out, test, '--multi-label');
  camScores[head] = {
    testMeanAP: round(report.multiLabel?.meanAP),
    testLabelAccuracy: round(report.multiLabel?.labelAccuracy),
  };
}

// Localisation without boxes by map method, on the test splits: ACoLCanvas on mnist-canvas (CAM is
// branch A's exact class map; Grad-CAM and Grad-CAM++ at the layer before branch A's classifier)
// and ShapesCam (max-pooling head) on shapes, every class an image holds scored against its boxes
// (Grad-CAM and Grad-CAM++ at the last features; at the class map itself they would be ReLU(CAM)).
// No ACoL is trained on shapes.
/** MaxBoxAccV2 of one map method: the mean, MaxBoxAcc at each δ, and how many maps were scored. */
async function boxScores(model: string, weights: string, data: string, ...extra: string[]) {
  const { localisation } = await evaluate(model, weights, data, ...extra);
  return {
    maxBoxAccV2: round(localisation.maxBoxAccV2),
    levels: localisation.maxBoxAccV2Levels.map((level: { maxBoxAcc: number }) => round(level.maxBoxAcc)),
    maps: localisation.images as number,
  };
}
const gradientMethods = (layer: string) => ({
  gradcam: ['--method', 'gradcam', '--layer', layer],
  gradcampp: ['--method', 'gradcampp', '--layer', layer],
});
const localisationByMethod: Record<string, Record<string, unknown>> = {};
{
  const weights = join(work, 'acol-canvas');
  const methods = { cam: ['--method', 'cam'], ...gradientMethods('mapA/relu'), acol: ['--method', 'acol'] };
  const row: Record<string, unknown> = {
    model: ACOL_CANVAS,
    weights: shownResultPath(weights, work),
    layer: 'mapA/relu',
  };
  for (const [name, args] of Object.entries(methods))
    row[name] = await boxScores(ACOL_CANVAS, weights, canvasTest, ...args);
  localisationByMethod.canvas = row;
}
{
  const gmp = CAM_HEADS.find((cam) => cam.head === 'gmp')!;
  const methods = { cam: ['--method', 'cam'], ...gradientMethods('features/relu_3') };
  const row: Record<string, unknown> = {
    model: gmp.model,
    weights: shownResultPath(gmp.out, work),
    layer: 'features/relu_3',
    acol: null,
  };
  for (const [name, args] of Object.entries(methods))
    row[name] = await boxScores(gmp.model, gmp.out, test, '--multi-label', ...args);
  localisationByMethod.shapes = row;
}

/** A refinement of `segc data pseudo-masks`: the walk with its α and σ, or seed growing with its tolerance. */
type Refinement =
  | { readonly refine: 'walk'; readonly alpha: number; readonly sigma: number }
  | { readonly refine: 'grow'; readonly tolerance: number; readonly seeds: number };
const refinementArgs = (r: Refinement) =>
  r.refine === 'walk'
    ? ['--refine', 'walk', '--alpha', String(r.alpha), '--sigma', String(r.sigma)]
    : ['--refine', 'grow', '--tolerance', String(r.tolerance), '--seeds', String(r.seeds)];
const refinementName = (r: Refinement) =>
  r.refine === 'walk'
    ? `walk-alpha-${r.alpha}-sigma-${r.sigma}`
    : `grow-tolerance-${r.tolerance}${r.seeds > 1 ? `-seeds-${r.seeds}` : ''}`;

/** `segc data pseudo-masks --method cam` with `refinement` of `split` into `out`; its scores against the true masks. */
async function pseudoMasks(cam: CamHead, split: string, out: string, refinement: Refinement): Promise<any> {
  const written = join(out, 'pseudo-masks.json');
  // With --reuse, a tuning folder (named by its head and settings) keeps its scores.
  if (values.reuse && split === val && existsSync(written))
    return JSON.parse(readFileSync(written, 'utf8')).againstTrueMasks;
  await segc(
    'data',
    'pseudo-masks',
    cam.model,
    '--weights',
    cam.out,
    '--data',
    split,
    '--out',
    out,
    '--method',
    'cam',
    ...refinementArgs(refinement),
    '--overwrite',
  );
  return JSON.parse(readFileSync(written, 'utf8')).againstTrueMasks ?? null;
}

const f1 = (precision: number | null, recall: number | null) =>
  precision && recall ? (2 * precision * recall) / (precision + recall) : 0;
const REFINEMENTS: Refinement[] = [
  ...WALK_ALPHAS.flatMap((alpha) => WALK_SIGMAS.map((sigma) => ({ refine: 'walk' as const, alpha, sigma }))),
  ...GROW_TOLERANCES.flatMap((tolerance) => GROW_SEEDS.map((seeds) => ({ refine: 'grow' as const, tolerance, seeds }))),
];
const refinementTuning: (Refinement & {
  head: string;
  objectPrecision: number;
  objectRecall: number;
  objectF1: number;
})[] = [];
for (const cam of CAM_HEADS) {
  for (const refinement of REFINEMENTS) {
    const folder = join(work, 'refine-tuning', `${cam.head}-${refinementName(refinement)}`);
    const quality = await pseudoMasks(cam, val, folder, refinement);
    refinementTuning.push({
      head: cam.head,
      ...refinement,
      objectPrecision: round(quality.objectPrecision)!,
      objectRecall: round(quality.objectRecall)!,
      objectF1: round(f1(quality.objectPrecision, quality.objectRecall))!,
    });
  }
}
// The highest object F1 on val.
const chosen = refinementTuning.reduce((best, entry) => (entry.objectF1 > best.objectF1 ? entry : best));
const chosenCam = CAM_HEADS.find((cam) => cam.head === chosen.head)!;
const chosenRefinement: Refinement =
  chosen.refine === 'walk'
    ? { refine: 'walk', alpha: chosen.alpha, sigma: chosen.sigma }
    : { refine: 'grow', tolerance: chosen.tolerance, seeds: chosen.seeds };
const pseudo = join(data, 'shapes-pseudo');
const pseudoQuality = await pseudoMasks(chosenCam, train, pseudo, chosenRefinement);
const weak = await trainDeeplab('deeplab-weak', pseudo);
const supervised = await trainDeeplab('deeplab-supervised', train);

// A few masks plus image labels; at 100% with the comparison's budget, the supervised run is that point.
const maskShare: (Scores & { share: number })[] = [];
for (const share of MASK_SHARES)
  maskShare.push({
    share,
    ...(share === 1 && scale.curveEpochs === scale.segEpochs && curveTrain === train
      ? supervised
      : await curveDeeplab(`deeplab-masks-${share}`, curveTrain, '--mask-share', String(share))),
  });
const curveClean = maskShare.find((point) => point.share === 1)!;

// Noisy labels: the clean cross-entropy run is the 100% mask run above.
const labelNoise: (Scores & { rate: number; loss: string })[] = [];
for (const loss of NOISE_LOSSES) {
  for (const rate of NOISE_RATES) {
    const scores =
      rate === 0 && loss === 'ce'
        ? curveClean
        : await curveDeeplab(
            `deeplab-noise-${loss}-${rate}`,
            curveTrain,
            '--label-noise',
            String(rate),
            '--loss',
            loss,
          );
    labelNoise.push({ rate, loss, miou: scores.miou, pixelAccuracy: scores.pixelAccuracy });
  }
}

// How the runs were trained, as the results say it (the interpreter by name, not by its folder).
const trainedBy =
  trainer === 'torch'
    ? `segc build --target pytorch, then ${basename(python)} train.py (PyTorch ${spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim()})`
    : 'segc train';
const camSteps = scale.camEpochs * Math.ceil(Math.floor(0.8 * scale.trainCount) / 16);
const command = ['npx tsx bench/weak-supervision.ts', ...shownArguments(process.argv.slice(2), work)].join(' ');
const results = {
  command,
  scale: scaleName,
  seed: SEED,
  trainer: {
    shapesCam: trainedBy,
    deeplab: trainedBy,
    acol: trainedBy,
    acolFirst: trainer === 'torch' ? trainedBy : 'none (the bundled weights/acol)',
    curves: trainedBy,
  },
  data: {
    test: 'segc data shapes --count 1500 --size 64 --seed 1: test split (150 images)',
    train: `segc data shapes --count ${scale.trainCount} --size 64 --seed 2: train split (${Math.floor(0.8 * scale.trainCount)} images; val split for the pseudo-masks' refinement)`,
    curves: `segc data shapes --count ${scale.curveCount} --size 64 --seed 2: train split (${Math.floor(0.8 * scale.curveCount)} images)`,
    canvas: 'segc data mnist-canvas --count 1500 --size 64 --seed 1: train split (ACoL) and test split (300 images)',
    canvasHeldOut:
      'segc data mnist-canvas --count 1500 --size 64 --seed 3: test split (300 images), on which ACoLCanvas was designed',
  },
  budgets: {
    shapesCam: `${scale.camEpochs} epochs (${camSteps} steps), batch 16, adam lr 0.002, --multi-label --flip`,
    deeplab: `${scale.segEpochs} epochs, batch 8, adam lr 0.003, --flip`,
    acol: `${scale.acolEpochs} epochs, batch 32, adam lr 0.002`,
    curves: `${scale.curveEpochs} epochs, batch 8, adam lr 0.003, --flip`,
  },
  supervisedMiou: supervised.miou,
  weakMiou: weak.miou,
  weakOverSupervised: weak.miou !== null && supervised.miou ? round(weak.miou / supervised.miou) : null,
  acolMaxBoxAccV2: acol.maxBoxAccV2,
  acol,
  acolFirst,
  localisationByMethod,
  acolBundled: {
    weights: 'weights/acol',
    top1: round(acolBundled.classification?.top1),
    maxBoxAcc: round(acolBundled.localisation.maxBoxAcc),
    maxBoxAccV2: round(acolBundled.localisation.maxBoxAccV2),
  },
  bundledDeeplabMiou: round(bundled.segmentation.meanIoU),
  shapesCam: camScores,
  refinementTuning,
  refinement: { head: chosen.head, ...chosenRefinement },
  pseudoMasks: pseudoQuality,
  supervised,
  weak,
  maskShare,
  labelNoise,
  seconds: Math.round((Date.now() - started) / 1000),
};
const resultsDir = values.results!;
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'weak-supervision.json'), `${JSON.stringify(results, null, 2)}\n`);
// The two ACoLs' fused maps on the first canvases of the held-out split, with the boxes of each
// map's components above its δ 0.5 threshold there (PyTorch builds, so with --trainer torch only).
if (trainer === 'torch') {
  const montage = async (name: string, model: string, run: string, score: typeof acol) => {
    const level = score.heldOutMaxBoxAccV2Levels.find((l: { iouThreshold: number }) => l.iouThreshold === 0.5)!;
    return `${name}=${await torchBuild(model)},${join(run, 'checkpoint', 'weights.safetensors')},${level.bestThreshold}`;
  };
  const drawn = spawnSync(
    python,
    [
      'bench/weak-supervision-acol-maps.py',
      join(resultsDir, 'weak-supervision-acol-maps.png'),
      canvasVal,
      '6',
      await montage('ACoL (examples/acol.seg)', ACOL, acolFirstWeights, acolFirst),
      await montage('ACoLCanvas', ACOL_CANVAS, join(work, 'acol-canvas'), acol),
    ],
    { stdio: 'inherit' },
  );
  if (drawn.status !== 0)
    throw new Error(`bench/weak-supervision-acol-maps.py exited with ${drawn.status ?? drawn.signal}`);
}
writeFileSync(
  join(resultsDir, 'weak-supervision-mask-share.svg'),
  scoreCurveSvg({
    title: `DeepLabV3PlusSmall on shapes, test mIoU against the share of training images with masks (${trainer === 'torch' ? 'PyTorch' : 'segc train'}, ${scale.curveEpochs} epoch(s) of ${Math.floor(0.8 * scale.curveCount)} images)`,
    xTitle: 'share of training images with masks (--mask-share)',
    xLabels: MASK_SHARES.map((share) => `${100 * share}%`),
    series: [
      { name: 'test mIoU', values: maskShare.map((point) => point.miou) },
      { name: 'test pixel accuracy', values: maskShare.map((point) => point.pixelAccuracy) },
    ],
  }),
);
writeFileSync(
  join(resultsDir, 'weak-supervision-label-noise.svg'),
  scoreCurveSvg({
    title: `DeepLabV3PlusSmall on shapes, test scores against the share of images with wrong labels (${trainer === 'torch' ? 'PyTorch' : 'segc train'}, ${scale.curveEpochs} epoch(s) of ${Math.floor(0.8 * scale.curveCount)} images)`,
    xTitle: 'share of training images with wrong labels (--label-noise)',
    xLabels: NOISE_RATES.map((rate) => String(rate)),
    series: NOISE_LOSSES.flatMap((loss) => {
      const points = labelNoise.filter((point) => point.loss === loss);
      return [
        { name: `mIoU, --loss ${loss}`, values: points.map((point) => point.miou) },
        { name: `pixel accuracy, --loss ${loss}`, values: points.map((point) => point.pixelAccuracy) },
      ];
    }),
  }),
);
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
