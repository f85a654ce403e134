/**
 * The weak-supervision results of docs/weak-supervision.md, regenerated with fixed seeds through
 * the `segc` commands themselves (run in this process, one after the other):
 *
 * - ACoL's MaxBoxAccV2 on mnist-canvas (the bundled weights in weights/acol);
 * - image labels → masks on shapes: ShapesCam trained on image labels, `segc data pseudo-masks
 *   --refine walk`, precision and recall of the pseudo-masks, then DeepLabV3PlusSmall trained on
 *   them (`weakMiou`);
 * - a few masks: DeepLabV3PlusSmall with `--mask-share` 1%, 5%, 20% and 100% (the last is
 *   `supervisedMiou`, the same budget as the weak run);
 * - noisy labels: `--label-noise` 0, 0.2, 0.4 with `--loss ce` and `--loss gce`.
 *
 * Writes bench/results/weak-supervision.json and the curves
 * bench/results/weak-supervision-{mask-share,label-noise}.svg. Every test score is on the shapes
 * test split of `segc data shapes --count 1500 --size 64 --seed 1` (150 images, the split of the
 * bundled DeepLab weights), which no run trains on.
 *
 *   npx tsx bench/weak-supervision.ts                  # small: minutes on 2 cores, checks the plumbing
 *   npx tsx bench/weak-supervision.ts --scale full     # the budgets: hours on 2 cores
 *   options: --work DIR (default runs/weak-supervision), --results DIR (default bench/results)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';
import { scoreCurveSvg } from '../src/train/curve-svg.js';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'small' },
    work: { type: 'string', default: 'runs/weak-supervision' },
    results: { type: 'string', default: 'bench/results' },
  },
});

interface Scale {
  /** Images generated for the training runs (80% train). */
  readonly trainCount: number;
  /** ShapesCam: epochs over the training split (steps = epochs × train / 16). */
  readonly camEpochs: number;
  /** DeepLabV3PlusSmall: epochs of every segmentation run. */
  readonly segEpochs: number;
}

const SCALES: Readonly<Record<string, Scale>> = {
  small: { trainCount: 250, camEpochs: 2, segEpochs: 1 },
  // ShapesCam needs about 4,500 steps of 16 (see the doc), 60 epochs of 1,200 images.
  full: { trainCount: 1500, camEpochs: 60, segEpochs: 45 },
};
const scaleName = values.scale!;
const scale = SCALES[scaleName];
if (!scale) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`);

const SEED = 1;
const MASK_SHARES = [0.01, 0.05, 0.2, 1] as const;
const NOISE_RATES = [0, 0.2, 0.4] as const;
const NOISE_LOSSES = ['ce', 'gce'] as const;
const DEEPLAB = 'examples/deeplabv3plus_small.seg';
const SHAPES_CAM = 'examples/train/shapes_cam.seg';
const work = values.work!;
const started = Date.now();

/** Runs `segc ARGS`; returns what it printed on stdout. Stops the script on a non-zero exit. */
async function segc(...args: string[]): Promise<string> {
  let out = '';
  const io: Io = { out: (text) => void (out += text.endsWith('\n') ? text : `${text}\n`), err: () => {} };
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stderr.write(`[${seconds} s] segc ${args.join(' ')}\n`);
  const code = await main(args, io);
  if (code !== 0) throw new Error(`segc ${args.join(' ')} exited with ${code}`);
  return out;
}

async function evaluate(model: string, weights: string, data: string, ...extra: string[]): Promise<any> {
  return JSON.parse(await segc('eval', model, '--weights', weights, '--data', data, '--json', ...extra));
}

const round = (value: number | null | undefined) => (typeof value === 'number' ? Number(value.toFixed(4)) : null);

interface Scores {
  readonly miou: number | null;
  readonly pixelAccuracy: number | null;
}

async function trainDeeplab(name: string, data: string, ...extra: string[]): Promise<Scores> {
  const out = join(work, name);
  await segc(
    'train',
    DEEPLAB,
    '--data',
    data,
    '--out',
    out,
    '--epochs',
    String(scale!.segEpochs),
    '--batch',
    '8',
    '--lr',
    '0.003',
    '--flip',
    '--seed',
    String(SEED),
    ...extra,
  );
  const report = await evaluate(DEEPLAB, out, test);
  return { miou: round(report.segmentation.meanIoU), pixelAccuracy: round(report.segmentation.pixelAccuracy) };
}

mkdirSync(work, { recursive: true });
const data = join(work, 'data');
// The held-out split: the bundled DeepLab weights' data set; only its test split is used.
await segc(
  'data',
  'shapes',
  '--out',
  join(data, 'shapes-eval'),
  '--count',
  '1500',
  '--size',
  '64',
  '--seed',
  '1',
  '--overwrite',
);
const test = join(data, 'shapes-eval', 'test');
await segc(
  'data',
  'shapes',
  '--out',
  join(data, 'shapes'),
  '--count',
  String(scale.trainCount),
  '--size',
  '64',
  '--seed',
  '2',
  '--overwrite',
);
const train = join(data, 'shapes', 'train');
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

// Localisation without boxes: the bundled ACoL weights on the canvas split they were evaluated on.
const acol = await evaluate('examples/acol.seg', 'weights/acol', join(data, 'canvas', 'test'), '--method', 'acol');
const bundled = await evaluate(DEEPLAB, 'weights/deeplabv3plus_small', test);

// Image labels → masks.
await segc(
  'train',
  SHAPES_CAM,
  '--data',
  train,
  '--out',
  join(work, 'shapes-cam'),
  '--epochs',
  String(scale.camEpochs),
  '--batch',
  '16',
  '--lr',
  '0.002',
  '--multi-label',
  '--flip',
  '--seed',
  String(SEED),
);
const cam = await evaluate(SHAPES_CAM, join(work, 'shapes-cam'), test, '--multi-label');
const pseudo = join(data, 'shapes-pseudo');
await segc(
  'data',
  'pseudo-masks',
  SHAPES_CAM,
  '--weights',
  join(work, 'shapes-cam'),
  '--data',
  train,
  '--out',
  pseudo,
  '--method',
  'cam',
  '--refine',
  'walk',
  '--alpha',
  '1',
  '--overwrite',
);
const pseudoQuality = JSON.parse(readFileSync(join(pseudo, 'pseudo-masks.json'), 'utf8')).againstTrueMasks ?? null;
const weak = await trainDeeplab('deeplab-weak', pseudo);

// A few masks plus image labels.
const maskShare: (Scores & { share: number })[] = [];
for (const share of MASK_SHARES)
  maskShare.push({ share, ...(await trainDeeplab(`deeplab-masks-${share}`, train, '--mask-share', String(share))) });
const supervised = maskShare.find((point) => point.share === 1)!;

// Noisy labels: the clean cross-entropy run is the 100% mask run above.
const labelNoise: (Scores & { rate: number; loss: string })[] = [];
for (const loss of NOISE_LOSSES) {
  for (const rate of NOISE_RATES) {
    const scores =
      rate === 0 && loss === 'ce'
        ? supervised
        : await trainDeeplab(`deeplab-noise-${loss}-${rate}`, train, '--label-noise', String(rate), '--loss', loss);
    labelNoise.push({ rate, loss, miou: scores.miou, pixelAccuracy: scores.pixelAccuracy });
  }
}

const command = ['npx tsx bench/weak-supervision.ts', ...process.argv.slice(2)].join(' ');
const results = {
  command,
  scale: scaleName,
  seed: SEED,
  data: {
    test: 'segc data shapes --count 1500 --size 64 --seed 1: test split (150 images)',
    train: `segc data shapes --count ${scale.trainCount} --size 64 --seed 2: train split`,
    canvas: 'segc data mnist-canvas --count 1500 --size 64 --seed 1: test split (300 images)',
  },
  budgets: {
    shapesCam: `${scale.camEpochs} epochs, batch 16, adam lr 0.002, --multi-label --flip`,
    deeplab: `${scale.segEpochs} epochs, batch 8, adam lr 0.003, --flip`,
  },
  supervisedMiou: supervised.miou,
  weakMiou: weak.miou,
  weakOverSupervised: weak.miou !== null && supervised.miou ? round(weak.miou / supervised.miou) : null,
  acolMaxBoxAccV2: round(acol.localisation.maxBoxAccV2),
  acol: {
    weights: 'weights/acol',
    top1: round(acol.classification?.top1),
    maxBoxAcc: round(acol.localisation.maxBoxAcc),
    maxBoxAccV2Levels: acol.localisation.maxBoxAccV2Levels,
  },
  bundledDeeplabMiou: round(bundled.segmentation.meanIoU),
  shapesCam: { testMeanAP: round(cam.multiLabel?.meanAP), testLabelAccuracy: round(cam.multiLabel?.labelAccuracy) },
  pseudoMasks: pseudoQuality,
  maskShare,
  labelNoise,
  seconds: Math.round((Date.now() - started) / 1000),
};

const resultsDir = values.results!;
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'weak-supervision.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(
  join(resultsDir, 'weak-supervision-mask-share.svg'),
  scoreCurveSvg({
    title: `DeepLabV3PlusSmall on shapes, test mIoU against the share of training images with masks (${scaleName} scale)`,
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
    title: `DeepLabV3PlusSmall on shapes, test scores against the share of images with wrong labels (${scaleName} scale)`,
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
