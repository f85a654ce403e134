/** Tiny models and in-memory samples for the training tests. */
import { expect } from 'vitest';
import type { Sample } from '../../src/data/sample.js';
import { SegModel } from '../../src/runtime/model.js';
import { compileText } from '../helpers/compile.js';
import { seededValues } from '../runtime/helpers.js';

export const TINY_SEGMENTATION = `
model TinySeg(classes: int = 3) {
  input image: f32[N, 8, 8, 3]
  let features = image -> conv(8, 3, bias: false) -> bn -> relu -> dropout(0.1)
  output logits = features -> conv(classes, 1)
}
`;

export const TINY_CLASSIFIER = `
model TinyClassifier(classes: int = 3) {
  input image: f32[N, 8, 8, 3]
  output logits = image -> conv(6, 3, bias: false) -> bn -> relu -> gap -> dense(classes)
}
`;

export const TINY_ACOL = `
model TinyAcol(classes: int = 3) {
  input image: f32[N, 8, 8, 3]
  let features = image -> conv(6, 3) -> relu
  let mapA = features -> conv(classes, 1) @classmap
  let erased = erase(features, by: mapA, threshold: 0.6)
  let mapB = erased -> conv(classes, 1) @classmap
  output logitsA = gap(mapA)
  output logitsB = gap(mapB)
}
`;

export function compileModel(
  source: string,
): ReturnType<typeof compileText>['models'][number] & { graph: NonNullable<SegModel['graph']> } {
  const result = compileText(source);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const compiled = result.models[0]!;
  return compiled as typeof compiled & { graph: NonNullable<typeof compiled.graph> };
}

export function tinyModel(source: string, seed = 1): SegModel {
  const compiled = compileModel(source);
  return SegModel.random(compiled.graph, compiled.sizes, seed);
}

/**
 * Images whose pixel class is the brightest channel (a rule a 1×1 convolution can learn), and
 * whose image class is the channel brightest on average.
 */
export function colourSamples(count: number, side: number, seed: number): Sample[] {
  return Array.from({ length: count }, (_, index) => {
    const image = seededValues(side * side * 3, seed + index).map((v) => (v + 1) / 2);
    const mask = new Uint8Array(side * side);
    const totals = [0, 0, 0];
    for (let pixel = 0; pixel < side * side; pixel++) {
      const rgb = [image[pixel * 3]!, image[pixel * 3 + 1]!, image[pixel * 3 + 2]!];
      mask[pixel] = rgb.indexOf(Math.max(...rgb));
      rgb.forEach((value, channel) => (totals[channel]! += value));
    }
    const label = totals.indexOf(Math.max(...totals));
    return { id: `images/${index}.png`, image, height: side, width: side, mask, label, labels: [label] };
  });
}

/** Noisy images tinted towards one colour channel; the channel is the class. */
export function tintSamples(count: number, side: number, seed: number): Sample[] {
  return Array.from({ length: count }, (_, index) => {
    const label = index % 3;
    const image = seededValues(side * side * 3, seed + index).map(
      (v, i) => 0.3 + 0.2 * v + (i % 3 === label ? 0.4 : 0),
    );
    return { id: `images/${index}.png`, image, height: side, width: side, label, labels: [label] };
  });
}
