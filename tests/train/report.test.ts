/**
 * What people and tools read: progress lines and their pacing, the training-curve and
 * confusion-matrix SVGs (well formed, one curve per series, cells shaded by row share), the
 * evaluation table, and the task inferred from a model's outputs.
 */
import { describe, expect, it } from 'vitest';
import { ConfusionMatrix } from '../../src/metrics/confusion-matrix.js';
import { confusionMatrixSvg } from '../../src/train/confusion-svg.js';
import { scoreCurveSvg, trainingCurveSvg } from '../../src/train/curve-svg.js';
import { formatDuration, ProgressDisplay, progressLine } from '../../src/train/progress.js';
import { formatReport } from '../../src/train/report.js';
import { segmentationReport } from '../../src/metrics/segmentation.js';
import { inferTask, inputSpec } from '../../src/train/task.js';
import { TINY_ACOL, TINY_CLASSIFIER, TINY_SEGMENTATION, compileModel } from './fixtures.js';

const PROGRESS = {
  epoch: 1,
  epochs: 4,
  batch: 10,
  batches: 40,
  step: 50,
  totalSteps: 160,
  loss: 0.51234,
  accuracy: 0.875,
  imagesPerSecond: 12.34,
  learningRate: 0.001,
};

describe('progress', () => {
  it('formats durations and a progress line with the ETA from the remaining steps', () => {
    expect([formatDuration(5), formatDuration(65), formatDuration(3725), formatDuration(Number.NaN)]).toEqual([
      '5s',
      '1m05s',
      '1h02m',
      '?',
    ]);
    const line = progressLine(PROGRESS, 'pixel acc', 2);
    expect(line).toBe(
      'epoch 2/4  [######..................]  10/40  loss 0.5123  pixel acc 0.875  12.3 img/s  lr 0.00100  ETA 3m40s',
    );
  });

  it('redraws in place on a terminal and writes paced plain lines elsewhere', () => {
    const written: string[] = [];
    let clock = 0;
    const plain = new ProgressDisplay({ write: (t) => written.push(t), isTTY: false }, 'acc', 30, () => clock);
    plain.step(PROGRESS, 1);
    clock = 10;
    plain.step(PROGRESS, 1);
    clock = 31;
    plain.step(PROGRESS, 1);
    expect(written.length).toBe(2);
    expect(written.every((t) => t.endsWith('\n') && !t.includes('\r'))).toBe(true);
    const drawn: string[] = [];
    const terminal = new ProgressDisplay({ write: (t) => drawn.push(t), isTTY: true }, 'acc');
    terminal.step(PROGRESS, 1);
    terminal.line('epoch done');
    expect(drawn[0]!.startsWith('\r\x1b[2K')).toBe(true);
    expect(drawn.slice(1)).toEqual(['\r\x1b[2K', 'epoch done\n']);
  });
});

describe('SVG writers', () => {
  const history = [1, 2, 3].map((epoch) => ({
    epoch,
    loss: 1 / epoch,
    accuracy: 0.5 + epoch / 10,
    learningRate: 0.01,
    images: 10,
    seconds: 2,
    validation: { meanIoU: epoch / 4 },
  }));

  it('draws one polyline per series with a point per epoch', () => {
    const svg = trainingCurveSvg(history, 'Model <small> & data');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Model &lt;small&gt; &amp; data');
    const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) => m[1]!.split(' ').length);
    expect(lines).toEqual([3, 3, 3]);
    expect(svg).toContain('val meanIoU');
  });

  it('draws scores against a setting, at their heights on the [0, 1] axis, skipping missing points', () => {
    const svg = scoreCurveSvg({
      title: 'mIoU & share',
      xTitle: 'share of masks',
      xLabels: ['1%', '5%', '100%'],
      series: [
        { name: 'mIoU', values: [0, 0.5, 1] },
        { name: 'accuracy', values: [0.25, null, 0.75] },
      ],
    });
    expect(svg).toContain('mIoU &amp; share');
    expect(svg).toContain('>share of masks</text>');
    const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) =>
      m[1]!.split(' ').map((point) => point.split(',').map(Number)),
    );
    expect(lines.map((points) => points.length)).toEqual([3, 2]);
    // Score 0 on the plot's bottom, 1 on its top, 0.5 halfway; evenly spaced along x.
    const [low, middle, high] = lines[0]!.map((point) => point[1]!);
    expect(middle).toBeCloseTo((low! + high!) / 2, 5);
    expect(high).toBeLessThan(low!);
    const xs = lines[0]!.map((point) => point[0]!);
    expect(xs[1]! - xs[0]!).toBeCloseTo(xs[2]! - xs[1]!, 5);
    expect(lines[1]!.map((point) => point[1])).toEqual([
      Number((low! - 0.25 * (low! - high!)).toFixed(1)),
      Number((low! - 0.75 * (low! - high!)).toFixed(1)),
    ]);
    expect(JSON.parse(svg.match(/<metadata>(.*)<\/metadata>/)![1]!.replace(/&quot;/g, '"')).x).toEqual([
      '1%',
      '5%',
      '100%',
    ]);
  });

  it('shades confusion cells by their share of the row', () => {
    const matrix = new ConfusionMatrix(2);
    matrix.add([0, 0, 0, 1], [0, 0, 1, 1]);
    const svg = confusionMatrixSvg(matrix, ['sky', 'road'], 'test');
    const shares = [...svg.matchAll(/>(\d\.\d\d)<\/text>/g)].map((m) => m[1]);
    expect(shares).toEqual(['0.67', '0.33', '0.00', '1.00']);
    expect(svg).toContain('sky → road: 1');
  });

  it('tables an evaluation with n/a for classes absent from truth and prediction', () => {
    const matrix = new ConfusionMatrix(3);
    matrix.add([0, 0, 1, 1], [0, 1, 1, 1]);
    const text = formatReport({
      task: 'segmentation',
      images: 1,
      classNames: ['a', 'b', 'c'],
      segmentation: segmentationReport(matrix, ['a', 'b', 'c']),
      confusion: matrix,
    });
    expect(text).toMatch(/^c +n\/a +n\/a +0 +0$/m);
    expect(text).toContain('mIoU 0.5833');
  });
});

describe('inferTask', () => {
  it('reads the task from the first output and the erase node', () => {
    expect(inferTask(compileModel(TINY_SEGMENTATION).graph)).toEqual({
      kind: 'segmentation',
      outputs: ['logits'],
      classes: 3,
    });
    expect(inferTask(compileModel(TINY_CLASSIFIER).graph)).toEqual({
      kind: 'classification',
      outputs: ['logits'],
      classes: 3,
    });
    expect(inferTask(compileModel(TINY_ACOL).graph)).toEqual({
      kind: 'acol',
      outputs: ['logitsA', 'logitsB'],
      classes: 3,
    });
    expect(inputSpec(compileModel(TINY_CLASSIFIER).graph)).toEqual({ name: 'image', height: 8, width: 8, channels: 3 });
  });

  it('refuses a model whose first output is not logits', () => {
    const source =
      'model Indices(classes: int = 3) {\n  input image: f32[N, 8, 8, 3]\n  output mask = argmax(image -> conv(classes, 1), axis: -1)\n}\n';
    expect(() => inferTask(compileModel(source).graph)).toThrow(/cannot tell what `Indices` is trained for/);
  });
});

describe('localisation in the evaluation table', () => {
  it('prints MaxBoxAcc (V1) and MaxBoxAccV2 with the best threshold of each δ', () => {
    const matrix = new ConfusionMatrix(2, { ignoreLabel: null });
    matrix.add([0, 1], [0, 1]);
    const text = formatReport({
      task: 'classification',
      images: 2,
      classNames: ['a', 'b'],
      confusion: matrix,
      classification: { examples: 2, top1: 1, top5: 1 },
      localisation: {
        method: 'cam',
        images: 2,
        maxBoxAcc: 0.5,
        bestThreshold: 0.25,
        maxBoxAccV2: 2 / 3,
        maxBoxAccV2Levels: [
          { iouThreshold: 0.3, maxBoxAcc: 1, bestThreshold: 0 },
          { iouThreshold: 0.5, maxBoxAcc: 1, bestThreshold: 0.5 },
          { iouThreshold: 0.7, maxBoxAcc: 0, bestThreshold: 0 },
        ],
        top1Localisation: 0.5,
        knownClassLocalisation: 0.5,
      },
    });
    expect(text).toContain('localisation (cam maps, 2 images): MaxBoxAcc 0.5000 at map threshold 0.25');
    expect(text).toContain(
      'MaxBoxAccV2 (every component, δ 0.3/0.5/0.7) 0.6667   (δ 0.3: 1.0000 at 0.000, δ 0.5: 1.0000 at 0.500, δ 0.7: 0.0000 at 0.000)',
    );
  });
});
