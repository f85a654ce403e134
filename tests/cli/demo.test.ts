/**
 * `npm run demo` tells the truth: it runs scripts/demo.sh (from the sources) and compares what
 * it predicts with examples/images/truth.json, which comes from the data generators (labels of
 * held-out MNIST and mnist-canvas test images, exact masks of generated shapes), not from any
 * model. Masks are scored here by counting pixels, independently of segc's metrics. The demo
 * prints one readable line per image, no JSON and no third-party warnings.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Truth {
  readonly model: string;
  readonly label?: number;
  readonly mask?: string;
  readonly classes?: string[];
}

const truth = JSON.parse(readFileSync('examples/images/truth.json', 'utf8')) as Record<string, Truth>;
const out = mkdtempSync(join(tmpdir(), 'segc-demo-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Class indices of a mask PNG: palette colours of the VOC map (generated truth) or grey levels (labels.png). */
function classIndices(path: string, palette?: string[]): Uint8Array {
  const png = PNG.sync.read(readFileSync(path));
  const indices = new Uint8Array(png.width * png.height);
  for (let i = 0; i < indices.length; i++) {
    const rgb = `${png.data[4 * i]},${png.data[4 * i + 1]},${png.data[4 * i + 2]}`;
    const index = palette ? palette.indexOf(rgb) : png.data[4 * i]!;
    if (index < 0) throw new Error(`${path}: colour ${rgb} is not a class colour`);
    indices[i] = index;
  }
  return indices;
}

/** Mean IoU over the classes in the truth or the prediction, per PASCAL VOC. */
function meanIoU(truthMask: Uint8Array, predicted: Uint8Array, classes: number): number {
  const ious: number[] = [];
  for (let c = 0; c < classes; c++) {
    let both = 0;
    let either = 0;
    for (let i = 0; i < truthMask.length; i++) {
      both += Number(truthMask[i] === c && predicted[i] === c);
      either += Number(truthMask[i] === c || predicted[i] === c);
    }
    if (either > 0) ious.push(both / either);
  }
  return ious.reduce((a, b) => a + b, 0) / ious.length;
}

const VOC_COLOURS = ['0,0,0', '128,0,0', '0,128,0', '128,128,0'];

describe('npm run demo', () => {
  let result: SpawnSyncReturns<string>;
  beforeAll(() => {
    result = spawnSync('bash', ['scripts/demo.sh'], {
      encoding: 'utf8',
      env: { ...process.env, SEGC_FROM_SOURCE: '1', SEGC_DEMO_OUT: out },
      timeout: 600_000,
    });
  }, 660_000);

  it('finishes, with one readable line per image and nothing from third parties', () => {
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/^\s*[{[]/m);
    expect(result.stderr).not.toMatch(/vulkan|vkCreateInstance|Dawn|tfjs-node/i);
    expect(result.stderr.match(/^backend: /gm)).toHaveLength(3);
    for (const image of Object.keys(truth))
      expect(result.stdout.match(new RegExp(`^examples/images/${image} → `, 'gm')), image).toHaveLength(1);
  });

  it.each(Object.entries(truth).filter(([, t]) => t.label !== undefined))('classifies %s as its label', (image, t) => {
    const stem = image.replace(/\.png$/, '');
    const line = result.stdout.split('\n').find((l) => l.startsWith(`examples/images/${image} → `))!;
    if (t.model === 'gap_cam') {
      const report = JSON.parse(readFileSync(join(out, `${stem}.gradcam.report.json`), 'utf8'));
      expect(report.class).toBe(t.label);
      expect(line).toMatch(
        new RegExp(`→ ${t.label} \\(\\d+\\.\\d%\\); Grad-CAM → ${join(out, `${stem}.gradcam.png`)}$`),
      );
    } else {
      const report = JSON.parse(readFileSync(join(out, `${stem}.json`), 'utf8'));
      expect(report.top[0].class).toBe(t.label);
      expect(line).toMatch(new RegExp(`→ ${t.label} \\(\\d+\\.\\d%\\); fused map → `));
    }
  });

  it.each(Object.entries(truth).filter(([, t]) => t.mask !== undefined))(
    'segments %s like its mask (mIoU ≥ 0.9)',
    (image, t) => {
      const stem = image.replace(/\.png$/, '');
      const expected = classIndices(join('examples/images', t.mask!), VOC_COLOURS);
      const predicted = classIndices(join(out, `${stem}.labels.png`));
      expect(meanIoU(expected, predicted, t.classes!.length)).toBeGreaterThanOrEqual(0.9);
      const present = t.classes!.filter((_, c) => c > 0 && expected.includes(c));
      const line = result.stdout.split('\n').find((l) => l.startsWith(`examples/images/${image} → `))!;
      for (const name of present) expect(line).toContain(`${name} `);
    },
  );
});
