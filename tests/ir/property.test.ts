/**
 * The compiler on random programs: random chains of ops with random (often wrong) arguments, and
 * mutations of the examples. Whatever the input, compilation returns a graph or diagnostics and
 * never throws; a graph it returns passes IR verification (SEGC_VERIFY_IR is on in tests).
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileText } from '../helpers/compile.js';

const STAGES = [
  'conv(8, 3)',
  'conv(4, 1, stride: 2)',
  'conv(8, 3, dilation: 2)',
  'conv(8, 3, padding: valid)',
  'sepconv(8, 3)',
  'dwconv(3)',
  'convTranspose(4)',
  'bn',
  'relu',
  'relu6',
  'sigmoid',
  'maxpool(2)',
  'avgpool(3, stride: 1, padding: same)',
  'gap',
  'gap(keep: true)',
  'gmp',
  'upsample(factor: 2)',
  'upsample(factor: 2, mode: bilinear)',
  'dropout(0.1)',
  'flatten',
  'dense(10)',
  'softmax',
  'channels(0, 2)',
  'pad([1, 1])',
  'crop([1, 1])',
  'argmax(axis: -1)',
  'conv(0, 3)',
  'conv(8, kernel: [3, 1])',
  'reshape([4, 4])',
  'hardSwish',
  'leakyRelu(0.1)',
];

const MERGES = [
  'concat([a, b])',
  'add(a, b)',
  'max(a, b)',
  'mul(a, b)',
  'erase(a, by: b)',
  'concat([a, b], axis: 1)',
  'upsample(a, like: b)',
];

const program = fc
  .record({
    where: fc.constantFrom('', ' where H % 16 == 0, W % 16 == 0', ' where H >= 32, W >= 32', ' where H == W'),
    dims: fc.constantFrom('N, H, W, 3', 'N, 32, 32, 3', '2, H, 16, 1', 'N, 8'),
    a: fc.array(fc.constantFrom(...STAGES), { minLength: 1, maxLength: 5 }),
    b: fc.array(fc.constantFrom(...STAGES), { minLength: 1, maxLength: 5 }),
    merge: fc.constantFrom(...MERGES),
    tail: fc.array(fc.constantFrom(...STAGES), { maxLength: 3 }),
  })
  .map(({ where, dims, a, b, merge, tail }) => {
    const pipe = (stages: string[]) => ['x', ...stages].join(' -> ');
    return `model M() {\n  input x: f32[${dims}]${where}\n  let a = ${pipe(a)}\n  let b = ${pipe(b)}\n  output y = ${[merge, ...tail].join(' -> ')}\n}\n`;
  });

/** Checks one source; true when it compiled to a graph with no errors. */
/**
 * At least this many of the 300 random chains and of the 60 mutated examples must compile, so
 * the properties are not met only by sources every check rejects. With the fixed seeds 9 chains
 * and 39 mutated examples compile today; most random chains fail a shape check.
 */
const MINIMUM_COMPILED = 8;
const MINIMUM_MUTATED_COMPILED = 30;

function compilesOrDiagnoses(source: string): boolean {
  const result = compileText(source);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const model = result.models[0];
  if (errors.length === 0) expect(model?.graph ?? (result.models.length === 0 ? 'no model' : undefined)).toBeDefined();
  for (const d of result.diagnostics) expect(d.code).toMatch(/^[EW]0\d{3}$/);
  return errors.length === 0 && model?.graph !== undefined;
}

describe('compiler properties', () => {
  it('random op chains either compile or give diagnostics, never an exception', () => {
    let compiled = 0;
    fc.assert(
      fc.property(program, (source) => {
        if (compilesOrDiagnoses(source)) compiled++;
      }),
      { numRuns: 300, seed: 42 },
    );
    // The property means little unless many chains get through every check to a graph.
    expect(compiled).toBeGreaterThanOrEqual(MINIMUM_COMPILED);
  }, 240_000);

  it('mutated examples either compile or give diagnostics', () => {
    // The full-size models (ResNet-50, VGG-16, DeepLabv3+) are left out only to keep the run short.
    const large = ['resnet50.seg', 'vgg16.seg', 'deeplabv3plus.seg'];
    const sources = readdirSync('examples')
      .filter((f) => f.endsWith('.seg') && !large.includes(f))
      .map((f) => readFileSync(`examples/${f}`, 'utf8'));
    let compiled = 0;
    const mutation = fc.record({
      source: fc.constantFrom(...sources),
      at: fc.nat(),
      length: fc.nat({ max: 12 }),
      insert: fc.constantFrom('', '2', ')', ', x', ' -> relu', '[', 'stride: 2', '0', '"', '@gradcam'),
    });
    fc.assert(
      fc.property(mutation, ({ source, at, length, insert }) => {
        const cut = at % source.length;
        if (compilesOrDiagnoses(source.slice(0, cut) + insert + source.slice(cut + length))) compiled++;
      }),
      { numRuns: 60, seed: 7 },
    );
    expect(compiled).toBeGreaterThanOrEqual(MINIMUM_MUTATED_COMPILED);
  }, 240_000);
});
