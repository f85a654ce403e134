/**
 * The training budgets of the recipes that make the documented results. ShapesCam (the shapes
 * multi-label classifier) stays at chance for about its first 1,000 steps of 16 and reaches a
 * test mean AP of 0.965 at 3,750 and 0.969 at 4,500 (docs/weak-supervision.md); a recipe with fewer steps
 * reproduces the classifier "at chance" the issue was about, whatever else is right.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SHAPES_CAM_STEPS = 4500;

/** The value of `NAME=…` in the full-scale branch (after `else`) of run-all.sh. */
function fullScale(script: string, name: string): number {
  const full = script.slice(script.indexOf('else', script.indexOf('if [[ $SCALE == smoke ]]')));
  const match = new RegExp(`\\b${name}=(\\d+)`).exec(full);
  if (!match) throw new Error(`run-all.sh sets no ${name} in its full scale`);
  return Number(match[1]);
}

describe('training recipes', () => {
  it('run-all.sh trains ShapesCam for at least 4,500 steps of 16', () => {
    const script = readFileSync('examples/train/run-all.sh', 'utf8');
    const train = Math.floor(0.8 * fullScale(script, 'SHAPES_COUNT'));
    const steps = fullScale(script, 'SHAPES_CLS_EPOCHS') * Math.ceil(train / 16);
    expect(script).toMatch(/train-shapes-cam segc train examples\/train\/shapes_cam\.seg[^\n]*\n[^\n]*--batch 16 /);
    expect(steps).toBeGreaterThanOrEqual(SHAPES_CAM_STEPS);
  });

  it('the full scale of bench/weak-supervision.ts does too', () => {
    const script = readFileSync('bench/weak-supervision.ts', 'utf8');
    const full = /full: \{\s*trainCount: (\d+),[^}]*?camEpochs: (\d+),/.exec(script);
    expect(full).not.toBeNull();
    const steps = Number(full![2]) * Math.ceil(Math.floor(0.8 * Number(full![1])) / 16);
    expect(steps).toBeGreaterThanOrEqual(SHAPES_CAM_STEPS);
  });
});
