/**
 * The command line end to end on a tiny generated data set: `segc data shapes`, `segc train`
 * (checkpoint, state, training curve), `segc eval --json` checked against metrics recomputed
 * here from the saved weights with plain loops, `segc data pseudo-masks`, usage errors, and a
 * Ctrl-C during `segc train` that saves the checkpoint and exits with 130.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { openDataset } from '../../src/data/node/dataset.js';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { loadWeights } from '../../src/runtime/node/weights-fs.js';
import { useBackend } from '../ops/backends.js';
import { compileModel } from './fixtures.js';

const SEGMENTATION = `
model CliSeg(classes: int = 4) {
  input image: f32[N, 16, 16, 3]
  let features = image -> conv(8, 3, bias: false) -> bn -> relu
  output logits = features -> conv(classes, 1)
  output mask = argmax(logits, axis: -1)
}
`;

const CLASSIFIER = `
import { NinHead } from "std/heads.seg"
model CliCam(classes: int = 4) {
  input image: f32[N, 16, 16, 3]
  let features = image -> conv(8, 3, bias: false) -> bn -> relu
  output logits = NinHead(features, classes)
}
`;

let root: string;

function capture(): { io: { out: (t: string) => void; err: (t: string) => void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

async function segc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { io, out, err } = capture();
  const code = await main(argv, io);
  return { code, out: out.join(''), err: err.join('') };
}

/** mIoU recomputed from the weights: predicted classes by argmax, per-class IoU over classes present in truth or prediction. */
async function referenceMeanIoU(weightsDir: string, dataDir: string): Promise<number> {
  const { graph, sizes } = compileModel(SEGMENTATION);
  const expected = weightDeclarations(graph).map((d) => ({ name: d.name, shape: d.shape, dtype: d.dtype }));
  const tensors = await loadWeights(weightsDir, expected);
  const model = SegModel.fromTensors(graph, sizes, tensors);
  const dataset = await openDataset(dataDir);
  const intersection = [0, 0, 0, 0];
  const union = [0, 0, 0, 0];
  for await (const sample of dataset.samples()) {
    const image = tf.tensor4d(sample.image, [1, sample.height, sample.width, 3]);
    const outputs = model.predict(image);
    const predicted = await outputs.mask!.data();
    sample.mask!.forEach((truth, pixel) => {
      if (truth === 255) return;
      const guess = predicted[pixel]!;
      for (let c = 0; c < 4; c++) {
        if (truth === c && guess === c) intersection[c]! += 1;
        if (truth === c || guess === c) union[c]! += 1;
      }
    });
    tf.dispose([image, ...Object.values(outputs)]);
  }
  model.dispose();
  tf.dispose([...tensors.values()]);
  const present = union.map((u, c) => (u > 0 ? intersection[c]! / u : Number.NaN)).filter((v) => !Number.isNaN(v));
  return present.reduce((a, b) => a + b, 0) / present.length;
}

beforeAll(async () => {
  await useBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'segc-cli-'));
  writeFileSync(join(root, 'seg.seg'), SEGMENTATION);
  writeFileSync(join(root, 'cam.seg'), CLASSIFIER);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('segc data → train → eval', () => {
  it('trains, checkpoints, and evaluates with the same metrics as a plain recomputation', async () => {
    const generated = await segc(
      'data',
      'shapes',
      '--out',
      join(root, 'shapes'),
      '--count',
      '30',
      '--size',
      '16',
      '--seed',
      '2',
    );
    expect(generated.code).toBe(0);
    expect(generated.out).toMatch(/train 24, val 3, test 3/);

    const trained = await segc(
      'train',
      join(root, 'seg.seg'),
      '--data',
      join(root, 'shapes', 'train'),
      '--val',
      join(root, 'shapes', 'val'),
      '--out',
      join(root, 'run'),
      '--epochs',
      '2',
      '--batch',
      '8',
      '--lr',
      '0.01',
      '--backend',
      'wasm',
    );
    expect(trained.code).toBe(0);
    expect(trained.err).toMatch(/epoch 2\/2 done {2}loss \d/);
    const state = JSON.parse(readFileSync(join(root, 'run', 'checkpoint', 'train-state.json'), 'utf8'));
    expect([state.epoch, state.step, state.history.length]).toEqual([2, 6, 2]);
    expect(state.history[1].validation.meanIoU).toBeGreaterThan(0);
    const curve = readFileSync(join(root, 'run', 'training-curve.svg'), 'utf8');
    expect(curve.startsWith('<svg')).toBe(true);
    expect(curve.match(/<polyline/g)!.length).toBe(4); // loss, train accuracy, val meanIoU, val pixelAccuracy

    const evaluated = await segc(
      'eval',
      join(root, 'seg.seg'),
      '--weights',
      join(root, 'run'),
      '--data',
      join(root, 'shapes', 'test'),
      '--json',
      '--confusion',
      join(root, 'confusion.svg'),
      '--backend',
      'wasm',
    );
    expect(evaluated.code).toBe(0);
    const report = JSON.parse(evaluated.out);
    expect(report.task).toBe('segmentation');
    expect(report.images).toBe(3);
    expect(report.segmentation.pixels).toBe(3 * 16 * 16);
    const reference = await referenceMeanIoU(join(root, 'run', 'checkpoint', 'weights'), join(root, 'shapes', 'test'));
    expect(Math.abs(report.segmentation.meanIoU - reference)).toBeLessThan(1e-12);
    const counts: number[][] = report.confusionMatrix.counts;
    expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(3 * 16 * 16);
    expect(readFileSync(join(root, 'confusion.svg'), 'utf8')).toContain('circle');

    // The last validation scores are those of the final weights (not of weights cached earlier).
    const onValidation = JSON.parse(
      (
        await segc(
          'eval',
          join(root, 'seg.seg'),
          '--weights',
          join(root, 'run'),
          '--data',
          join(root, 'shapes', 'val'),
          '--json',
          '--confusion',
          join(root, 'c1.svg'),
        )
      ).out,
    );
    expect(Math.abs(onValidation.segmentation.meanIoU - state.history[1].validation.meanIoU)).toBeLessThan(1e-12);

    // Without --confusion no chart is written anywhere (it used to land in the working folder).
    const table = await segc(
      'eval',
      join(root, 'seg.seg'),
      '--weights',
      join(root, 'run'),
      '--data',
      join(root, 'shapes', 'test'),
    );
    expect(table.out).toMatch(/mIoU \d\.\d{4}/);
    expect(table.out).toMatch(/^triangle /m);
    expect(table.out).not.toContain('confusion matrix:');
    expect(existsSync('confusion-matrix.svg')).toBe(false);
  });

  it('trains with the weak-supervision options and records them in the state', async () => {
    const trained = await segc(
      'train',
      join(root, 'seg.seg'),
      '--data',
      join(root, 'shapes', 'train'),
      '--out',
      join(root, 'weak'),
      '--epochs',
      '1',
      '--batch',
      '8',
      '--mask-share',
      '0.5',
      '--image-label-weight',
      '0.5',
      '--box-masks',
      'inner',
      '--box-inner',
      '0.6',
      '--loss',
      'sce',
      '--sce-alpha',
      '0.2',
      '--label-noise',
      '0.3',
    );
    expect(trained.code).toBe(0);
    const state = JSON.parse(readFileSync(join(root, 'weak', 'checkpoint', 'train-state.json'), 'utf8'));
    expect(state.config).toMatchObject({
      maskShare: 0.5,
      imageLabelWeight: 0.5,
      boxMasks: 'inner',
      boxInner: 0.6,
      loss: { kind: 'sce', alpha: 0.2 },
      labelNoise: 0.3,
    });
    expect(Number.isFinite(state.history[0].loss)).toBe(true);
    const smoothed = await segc(
      'train',
      join(root, 'seg.seg'),
      '--data',
      join(root, 'shapes', 'train'),
      '--out',
      join(root, 'smooth'),
      '--epochs',
      '1',
      '--batch',
      '8',
      '--label-smoothing',
      '0.1',
    );
    expect(smoothed.code).toBe(0);
    expect(
      JSON.parse(readFileSync(join(root, 'smooth', 'checkpoint', 'train-state.json'), 'utf8')).config.loss,
    ).toEqual({ kind: 'ce', smoothing: 0.1 });
    const refused = [
      ['--label-smoothing', '1'],
      ['--loss', 'gce', '--label-smoothing', '0.1'],
      ['--mask-share', '1.5'],
      ['--box-inner', '0.5'],
      ['--loss', 'mae'],
      ['--gce-q', '0'],
      ['--label-noise', '1.2'],
      ['--label-noise', 'some'],
    ];
    for (const extra of refused) {
      const result = await segc(
        'train',
        join(root, 'seg.seg'),
        '--data',
        join(root, 'shapes', 'train'),
        '--out',
        join(root, 'refused'),
        ...extra,
      );
      expect(result.code, extra.join(' ')).toBe(2);
    }
  });

  it('writes pseudo-masks from a classifier with labels, background and ignored pixels', async () => {
    expect(
      (
        await segc(
          'train',
          join(root, 'cam.seg'),
          '--data',
          join(root, 'shapes', 'train'),
          '--val',
          join(root, 'shapes', 'val'),
          '--out',
          join(root, 'cam'),
          '--epochs',
          '1',
          '--batch',
          '8',
          '--multi-label',
        )
      ).code,
    ).toBe(0);
    /** `segc data pseudo-masks` of the trained classifier on the validation images, into `out`. */
    const pseudoMasks = (out: string, ...options: string[]) =>
      segc(
        'data',
        'pseudo-masks',
        join(root, 'cam.seg'),
        '--weights',
        join(root, 'cam'),
        '--data',
        join(root, 'shapes', 'val'),
        '--out',
        join(root, out),
        ...options,
      );
    const written = await pseudoMasks('pseudo', '--fg', '0.7', '--bg', '0.3');
    expect(written.code).toBe(0);
    expect(written.out).toMatch(/wrote 3 pseudo-masks \(cam\)/);
    const dataset = await openDataset(join(root, 'pseudo'));
    expect(dataset.size).toBe(3);
    const sample = await dataset.load(0);
    const truth = await (await openDataset(join(root, 'shapes', 'val'))).load(0);
    const values = new Set(sample.mask);
    expect([...values].every((v) => v === 0 || v === 255 || truth.labels!.includes(v))).toBe(true);
    expect(values.has(255)).toBe(true);

    // Refined by the random walk: every pixel labelled, and the precision and recall printed and
    // written to pseudo-masks.json agree with a count over the written masks and the true ones.
    const walked = await pseudoMasks('pseudo-walk', '--refine', 'walk', '--radius', '2', '--steps', '5');
    expect(walked.code).toBe(0);
    expect(walked.out).toMatch(/wrote 3 pseudo-masks \(cam, refined by walk\)/);
    expect(walked.out).toMatch(/0\.0% ignored/);
    const report = JSON.parse(readFileSync(join(root, 'pseudo-walk', 'pseudo-masks.json'), 'utf8'));
    expect(report).toMatchObject({
      method: 'cam',
      refine: 'walk',
      refineOptions: { alpha: 4, radius: 2, sigma: 0.1, iterations: 5 },
      images: 3,
    });
    const [refinedSet, trueSet] = await Promise.all([
      openDataset(join(root, 'pseudo-walk')),
      openDataset(join(root, 'shapes', 'val')),
    ]);
    let [objectPredicted, objectRight, objectTrue] = [0, 0, 0];
    for (let index = 0; index < 3; index++) {
      const [pseudo, real] = await Promise.all([refinedSet.load(index), trueSet.load(index)]);
      pseudo.mask!.forEach((p, pixel) => {
        const t = real.mask![pixel]!;
        if (t !== 0) objectTrue += 1;
        if (p !== 0) objectPredicted += 1;
        if (p !== 0 && p === t) objectRight += 1;
      });
    }
    const expectedPrecision = objectPredicted > 0 ? objectRight / objectPredicted : null;
    expect(report.againstTrueMasks.objectPrecision ?? null).toBe(expectedPrecision);
    expect(report.againstTrueMasks.objectRecall).toBe(objectRight / objectTrue);
    expect(walked.out).toMatch(/against the true masks: object precision (n\/a|[\d.]+%), recall [\d.]+%/);

    // Seed growing: every pixel labelled (object or background), its settings in pseudo-masks.json.
    const grown = await pseudoMasks('pseudo-grow', '--refine', 'grow', '--tolerance', '0.2', '--max-area', '0.5');
    expect(grown.code).toBe(0);
    expect(grown.out).toMatch(/wrote 3 pseudo-masks \(cam, refined by grow\)/);
    expect(grown.out).toMatch(/0\.0% ignored/);
    expect(JSON.parse(readFileSync(join(root, 'pseudo-grow', 'pseudo-masks.json'), 'utf8'))).toMatchObject({
      refine: 'grow',
      growOptions: { tolerance: 0.2, maxArea: 0.5 },
      images: 3,
    });
    expect((await pseudoMasks('x', '--refine', 'grow', '--max-area', '2')).code).toBe(2);
    expect((await pseudoMasks('x', '--refine', 'crf')).code).toBe(2);
    expect((await pseudoMasks('x', '--refine', 'walk', '--radius', '40')).code).toBe(2);

    const scoreCam = (split: string, ...options: string[]) =>
      segc(
        'eval',
        join(root, 'cam.seg'),
        '--weights',
        join(root, 'cam'),
        '--data',
        join(root, 'shapes', split),
        ...options,
      );
    // The same classifier scored against each image's label set; the class counts come from the masks.
    const scored = await scoreCam('train', '--multi-label', '--json', '--confusion', join(root, 'c3.svg'));
    expect(scored.code).toBe(0);
    const multi = JSON.parse(scored.out).multiLabel;
    const holding = [0, 0, 0, 0];
    const train = await openDataset(join(root, 'shapes', 'train'));
    for await (const each of train.samples()) for (const label of each.labels!) holding[label]! += 1;
    expect(multi.examples).toBe(24);
    expect(multi.classes.map((c: { positives: number }) => c.positives)).toEqual(holding);
    expect(multi.labelAccuracy).toBeGreaterThanOrEqual(0);
    expect(multi.labelAccuracy).toBeLessThanOrEqual(1);
    // The shapes have boxes: the map of every class an image holds is localised against its boxes.
    expect(JSON.parse(scored.out).localisation.images).toBe(holding.reduce((sum, count) => sum + count, 0));
    const nowhere = await scoreCam('train', '--method', 'gradcam', '--layer', 'nowhere');
    expect(nowhere.code).toBe(1);
    expect(nowhere.err).toMatch(/E0903.*no tensor named `nowhere`/);
    const state = JSON.parse(readFileSync(join(root, 'cam', 'checkpoint', 'train-state.json'), 'utf8'));
    expect(state.config.multiLabel).toBe(true);
    // A multi-label run validates with the label-set scores, equal to `segc eval --multi-label` on the same split.
    expect(Object.keys(state.history[0].validation)).toEqual(['labelAccuracy', 'meanAP']);
    const onVal = JSON.parse(
      (await scoreCam('val', '--multi-label', '--json', '--confusion', join(root, 'c5.svg'))).out,
    ).multiLabel;
    expect(state.history[0].validation.labelAccuracy).toBe(onVal.labelAccuracy);
    expect(state.history[0].validation.meanAP).toBe(onVal.meanAP);
    const table = await scoreCam('train', '--multi-label', '--confusion', join(root, 'c4.svg'));
    expect(table.out).toMatch(/label accuracy \d\.\d{4} {3}exact match \d\.\d{4} {3}mean AP (\d\.\d{4}|n\/a)/);
  });

  it('reports usage errors with exit code 2 and bad thresholds as diagnostics', async () => {
    expect((await segc('train', join(root, 'seg.seg'))).err).toMatch(/train needs --data/);
    expect((await segc('train', join(root, 'seg.seg'), '--data', 'x', '--epochs', 'many')).code).toBe(2);
    for (const range of ['1.2,0.8', '0,1', '1', 'a,b', '0.5,1,2']) {
      const badRange = await segc('train', join(root, 'seg.seg'), '--data', 'x', '--scale-crop', range);
      expect(badRange.code).toBe(2);
      expect(badRange.err).toContain(
        `--scale-crop expects LOW,HIGH with 0 < LOW ≤ HIGH (e.g. 0.75,1.25), got \`${range}\``,
      );
    }
    expect((await segc('data', 'cubes', '--out', 'x')).err).toMatch(
      /data needs a kind: shapes, mnist-canvas, mnist, pseudo-masks, got `cubes`/,
    );
    const bad = await segc(
      'data',
      'pseudo-masks',
      join(root, 'cam.seg'),
      '--weights',
      join(root, 'cam'),
      '--data',
      join(root, 'shapes', 'val'),
      '--out',
      join(root, 'p2'),
      '--fg',
      '0.2',
      '--bg',
      '0.5',
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/E1011/);
    const wrongClasses = await segc(
      'train',
      join(root, 'seg.seg'),
      '--param',
      'classes=3',
      '--data',
      join(root, 'shapes', 'train'),
      '--out',
      join(root, 'x'),
    );
    expect(wrongClasses.code).toBe(1);
    expect(wrongClasses.err).toMatch(/E1003.*predicts 3 classes but .* has 4/s);
  });
});

describe('Ctrl-C during segc train', () => {
  it('finishes the step, saves the checkpoint and exits with 130', async () => {
    const out = join(root, 'interrupted');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/train-segc.ts',
        'train',
        join(root, 'seg.seg'),
        '--data',
        join(root, 'shapes', 'train'),
        '--out',
        out,
        '--epochs',
        '50',
        '--batch',
        '4',
      ],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/epoch 2\/50 done/.test(stderr)) resolve();
      });
      child.on('exit', () => resolve());
    });
    process.kill(child.pid!, 'SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/interrupted: saved the checkpoint/);
    const state = JSON.parse(readFileSync(join(out, 'checkpoint', 'train-state.json'), 'utf8'));
    expect(state.step).toBeGreaterThanOrEqual(12);
    expect(state.step).toBe(state.epoch * 6 + state.batchInEpoch);
    expect(existsSync(join(out, 'checkpoint', 'weights', 'model.json'))).toBe(true);
  }, 120_000);
});
