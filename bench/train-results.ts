/**
 * Summarises the runs of examples/train/run-all.sh: the evaluation JSON of each run, the
 * training time and epochs from its train-state.json, and the quality of the pseudo-masks
 * against the true masks of the same images. Writes RUNS/results/summary.md and prints it.
 *
 *   npx tsx bench/train-results.ts runs/train
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../src/data/node/dataset.js';
import { ConfusionMatrix } from '../src/metrics/confusion-matrix.js';
import { segmentationReport } from '../src/metrics/segmentation.js';

const runs = process.argv[2] ?? 'runs/train';

interface Row {
  readonly name: string;
  readonly run: string;
  readonly data: string;
  readonly score: (report: Record<string, any>) => string;
}

const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? 'n/a' : `${(100 * value).toFixed(2)}%`;
const fixed = (value: number | null | undefined) => (value === null || value === undefined ? 'n/a' : value.toFixed(4));

const ROWS: readonly Row[] = [
  {
    name: 'deeplab',
    run: 'deeplab',
    data: 'shapes test',
    score: (r) =>
      `mIoU ${fixed(r.segmentation?.meanIoU)}, pixel acc ${percent(r.segmentation?.pixelAccuracy)}, fwIoU ${fixed(r.segmentation?.frequencyWeightedIoU)}`,
  },
  {
    name: 'deeplab-weak',
    run: 'deeplab-weak',
    data: 'shapes test',
    score: (r) =>
      `mIoU ${fixed(r.segmentation?.meanIoU)}, pixel acc ${percent(r.segmentation?.pixelAccuracy)}, fwIoU ${fixed(r.segmentation?.frequencyWeightedIoU)}`,
  },
  {
    name: 'shapes-cam',
    run: 'shapes_cam',
    data: 'shapes val, image-level labels',
    score: (r) =>
      `label accuracy ${percent(r.multiLabel?.labelAccuracy)}, exact match ${percent(r.multiLabel?.exactMatch)}, mean AP ${fixed(r.multiLabel?.meanAP)}`,
  },
  {
    name: 'gap_cam',
    run: 'gap_cam',
    data: 'MNIST test',
    score: (r) => `top-1 ${percent(r.classification?.top1)}, top-5 ${percent(r.classification?.top5)}`,
  },
  { name: 'gap-cam-canvas', run: 'gap_cam', data: 'mnist-canvas test', score: localisation },
  { name: 'canvas-cam', run: 'canvas_cam', data: 'mnist-canvas test', score: localisation },
  { name: 'acol-branch-a', run: 'acol', data: 'mnist-canvas test', score: localisation },
  { name: 'acol-fused', run: 'acol', data: 'mnist-canvas test', score: localisation },
];

function localisation(r: Record<string, any>): string {
  const l = r.localisation;
  return `top-1 ${percent(r.classification?.top1)}, MaxBoxAcc ${percent(l?.maxBoxAcc)} (map threshold ${l?.bestThreshold?.toFixed(2)}), top-1 loc ${percent(l?.top1Localisation)}, GT-known loc ${percent(l?.knownClassLocalisation)}`;
}

function training(run: string): string {
  const file = join(runs, run, 'checkpoint', 'train-state.json');
  if (!existsSync(file)) return 'n/a';
  const state = JSON.parse(readFileSync(file, 'utf8'));
  const seconds = state.history.reduce((sum: number, epoch: { seconds: number }) => sum + epoch.seconds, 0);
  return `${state.history.length} epochs, ${state.step} steps, ${(seconds / 60).toFixed(1)} min`;
}

async function pseudoMaskQuality(): Promise<string | undefined> {
  const pseudoDir = join(runs, 'data', 'shapes-pseudo');
  if (!existsSync(pseudoDir)) return undefined;
  const pseudo = await openDataset(pseudoDir);
  const truth = await openDataset(join(runs, 'data', 'shapes', 'train'));
  const byId = new Map(truth.ids.map((id, index) => [id, index]));
  const matrix = new ConfusionMatrix(truth.maskClasses.length, { ignoreLabel: null });
  let labelled = 0;
  let pixels = 0;
  for (const [index, id] of pseudo.ids.entries()) {
    const made = (await pseudo.load(index)).mask!;
    const real = (await truth.load(byId.get(id)!)).mask!;
    const kept = made.reduce((count, value) => count + (value === 255 ? 0 : 1), 0);
    const truthKept = new Uint8Array(kept);
    const madeKept = new Uint8Array(kept);
    let at = 0;
    made.forEach((value, pixel) => {
      if (value === 255) return;
      truthKept[at] = real[pixel]!;
      madeKept[at++] = value;
    });
    matrix.add(truthKept, madeKept);
    labelled += kept;
    pixels += made.length;
  }
  const report = segmentationReport(matrix, truth.maskClasses);
  return `pseudo-masks (${pseudo.size} images): ${percent(labelled / pixels)} of pixels labelled; on those, pixel acc ${percent(report.pixelAccuracy)}, mIoU ${fixed(report.meanIoU)}`;
}

const lines = ['| run | data | scores | training |', '| --- | --- | --- | --- |'];
for (const row of ROWS) {
  const file = join(runs, 'results', `${row.name}.json`);
  if (!existsSync(file)) continue;
  lines.push(
    `| ${row.name} | ${row.data} | ${row.score(JSON.parse(readFileSync(file, 'utf8')))} | ${training(row.run)} |`,
  );
}
const quality = await pseudoMaskQuality();
if (quality) lines.push('', quality);
const summary = `${lines.join('\n')}\n`;
writeFileSync(join(runs, 'results', 'summary.md'), summary);
process.stdout.write(summary);
