/**
 * The training curve and the confusion matrix as a person sees them: rendered by headless
 * chromium with this machine's fonts, no text leaves the picture, no two texts overlap, the
 * legend sits below the data; titles wrap between words; paths are never absolute, in the
 * writers and in the bundled curves. Screenshots go to tests/artifacts/ (git-ignored).
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/compiler/node-host.js';
import { ConfusionMatrix } from '../../src/metrics/confusion-matrix.js';
import { confusionMatrixSvg } from '../../src/train/confusion-svg.js';
import { trainingCurveSvg } from '../../src/train/curve-svg.js';
import type { EpochRecord } from '../../src/train/state.js';
import { shownPath, wrapText } from '../../src/train/svg-text.js';
import { CHROMIUM, chromiumAvailable } from '../web/browser.js';

const ARTIFACTS = resolve('tests/artifacts');
const ON_CI = process.env.CI === 'true';
/** A line of 11 px text with its leading. */
const LINE_HEIGHT = 14;
const BUNDLED = ['deeplabv3plus_small', 'gap_cam', 'acol'].map((name) =>
  join(PACKAGE_ROOT, 'weights', name, 'training-curve.svg'),
);

function history(epochs: number): EpochRecord[] {
  return Array.from({ length: epochs }, (_, i) => ({
    epoch: i + 1,
    loss: 2 / (i + 1),
    accuracy: 0.5 + i / (2 * epochs),
    learningRate: 0.01,
    images: 10,
    seconds: 1,
    validation: {
      meanIoU: i / epochs,
      pixelAccuracy: 0.6 + i / (3 * epochs),
      frequencyWeightedIoU: 0.4 + i / (2 * epochs),
    },
  }));
}

describe('chart text', () => {
  it('wraps between words, cuts only a word longer than a line, and marks what it leaves out', () => {
    expect(wrapText('DeepLabV3PlusSmall on shapes/train', 150, 10)).toEqual(['DeepLabV3PlusSmall on', 'shapes/train']);
    expect(wrapText('a b', 1000, 10)).toEqual(['a b']);
    expect(wrapText('one two three four five six', 30, 10, 2)).toEqual(['one', 'two…']);
    const [cut] = wrapText('x'.repeat(40), 62, 10);
    expect(cut!.endsWith('…') && cut!.length < 40).toBe(true);
  });

  it('names a data folder relative to the working folder, or by its last two parts', () => {
    expect(shownPath('/home/ana/segc/runs/data/shapes/train', '/home/ana/segc')).toBe('runs/data/shapes/train');
    expect(shownPath('/work/runs-train/data/mnist/train', '/home/ana/segc')).toBe('mnist/train');
    expect(shownPath('data/./shapes/', '/anywhere')).toBe('data/shapes');
    expect(shownPath('C:\\runs\\mnist\\train', 'D:\\segc')).toBe('mnist/train');
  });

  it('keeps the values it draws in the curve’s metadata', () => {
    const svg = trainingCurveSvg(history(3), 'M on data');
    const data = JSON.parse(/<metadata>([^<]*)<\/metadata>/.exec(svg)![1]!.replace(/&quot;/g, '"')) as {
      series: { name: string; values: number[] }[];
    };
    expect(data.series.map((s) => s.name)).toEqual([
      'loss',
      'train accuracy',
      'val meanIoU',
      'val pixelAccuracy',
      'val frequencyWeightedIoU',
    ]);
    expect(data.series[0]!.values).toEqual([2, 1, 2 / 3]);
  });

  it.each(BUNDLED)('%s names its data relatively and carries its values', (file) => {
    const svg = readFileSync(file, 'utf8');
    const titles = [...svg.matchAll(/font-size="13">([^<]*)</g)].map((m) => m[1]!);
    expect(titles.join(' ')).toMatch(/^\w+ on [\w-]+\/[\w-]+$/);
    expect(svg).not.toMatch(/\/work\/|\/home\/|\/tmp\//);
    expect(svg).toContain('<metadata>');
  });
});

interface Box {
  readonly text: string;
  /** For text turned by `rotate(a)`: a, and the point it turns about. */
  readonly turned?: { readonly angle: number; readonly x: number; readonly y: number };
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

interface Measured {
  readonly width: number;
  readonly height: number;
  readonly texts: Box[];
  /** The plot frame of a training curve, if any. */
  readonly frame?: Box;
  readonly legend: Box[];
}

describe.skipIf(!chromiumAvailable() && !ON_CI)('charts in chromium', () => {
  const names = ['background', 'circle', 'square', 'triangle'];
  const matrix = new ConfusionMatrix(4);
  matrix.add([0, 0, 1, 1, 2, 3, 3, 2], [0, 1, 1, 1, 2, 3, 2, 2]);
  const wide = new ConfusionMatrix(10);
  wide.add([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 1, 2, 3, 4, 5, 6, 7, 8, 8]);
  const charts: [string, string][] = [
    [
      'curve-long-title',
      trainingCurveSvg(history(45), `DeepLabV3PlusSmall on ${'very-long-folder-name/'.repeat(4)}shapes/train`),
    ],
    ['curve-one-epoch', trainingCurveSvg(history(1), 'GapCam on mnist/train')],
    ...BUNDLED.map((file, i): [string, string] => [`bundled-curve-${i}`, readFileSync(file, 'utf8')]),
    ['confusion-4', confusionMatrixSvg(matrix, names, 'DeepLabV3PlusSmall on shapes')],
    [
      'confusion-10-long-names',
      confusionMatrixSvg(
        wide,
        Array.from({ length: 10 }, (_, i) => `a rather long class name ${i}`),
        'ACoL on canvas',
      ),
    ],
  ];

  it('draws every text inside the picture, none over another, the legend below the data', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'segc-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox'],
    });
    try {
      await mkdir(ARTIFACTS, { recursive: true });
      const page = context.pages()[0] ?? (await context.newPage());
      for (const [name, svg] of charts) {
        await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
        const measured = await page.evaluate(() => {
          const root = document.querySelector('svg')!;
          const rootBox = root.getBoundingClientRect();
          const box = (element: Element): Box => {
            const r = element.getBoundingClientRect();
            const turn = /translate\(([-\d.]+),([-\d.]+)\) rotate\(([-\d.]+)\)/.exec(
              element.getAttribute('transform') ?? '',
            );
            const turned = turn ? { turned: { x: Number(turn[1]), y: Number(turn[2]), angle: Number(turn[3]) } } : {};
            return {
              text: element.textContent ?? '',
              x: r.x - rootBox.x,
              y: r.y - rootBox.y,
              width: r.width,
              height: r.height,
              ...turned,
            };
          };
          const frame = root.querySelector('rect[fill="none"]');
          return {
            width: Number(root.getAttribute('width')),
            height: Number(root.getAttribute('height')),
            texts: Array.from(root.querySelectorAll('text')).map(box),
            ...(frame ? { frame: box(frame) } : {}),
            legend: Array.from(root.querySelectorAll('g > text')).map(box),
          } satisfies Measured;
        });
        await page.locator('svg').screenshot({ path: join(ARTIFACTS, `chart-${name}.png`) });
        const outside = measured.texts.filter(
          (t) => t.x < 0 || t.y < 0 || t.x + t.width > measured.width || t.y + t.height > measured.height,
        );
        expect(outside, name).toEqual([]);
        const overlapping = measured.texts.flatMap((a, i) =>
          measured.texts
            .slice(i + 1)
            .filter((b) => intersect(a, b))
            .map((b) => `${a.text} / ${b.text}`),
        );
        expect(overlapping, name).toEqual([]);
        if (measured.frame) {
          expect(measured.legend.length, name).toBeGreaterThanOrEqual(3);
          for (const entry of measured.legend)
            expect(entry.y, `${name}: ${entry.text}`).toBeGreaterThan(measured.frame.y + measured.frame.height);
        }
      }
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  }, 120_000);
});

/**
 * Whether two texts overlap: by their boxes, except that two texts turned by the same angle (the
 * column names of a confusion matrix) overlap only when their baselines are closer than a line.
 */
function intersect(a: Box, b: Box): boolean {
  if (a.turned && b.turned && a.turned.angle === b.turned.angle) {
    const angle = (a.turned.angle * Math.PI) / 180;
    const apart = Math.abs((b.turned.x - a.turned.x) * -Math.sin(angle) + (b.turned.y - a.turned.y) * Math.cos(angle));
    return apart < LINE_HEIGHT;
  }
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
