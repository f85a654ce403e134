/**
 * Seeded, deterministic weight initialisation. Each weight draws from its own stream, seeded
 * from the global seed and the weight's name, so adding or renaming one weight leaves the
 * others' initial values unchanged.
 *
 * - heNormal: normal with standard deviation sqrt(2 / fanIn) (He et al. 2015; not truncated).
 * - glorotUniform: uniform in ±sqrt(6 / (fanIn + fanOut)) (Glorot & Bengio 2010).
 * Fans default to Keras's rule: for a kernel [..., in, out] the receptive field is the product
 * of the leading dimensions, fanIn = field·in, fanOut = field·out; a vector has fanIn = fanOut
 * = its length. Depthwise kernels should pass fanIn = kh·kw explicitly.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface InitSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: 'heNormal' | 'glorotUniform' | 'zeros' | 'ones';
  readonly fanIn?: number;
  readonly fanOut?: number;
}

/** FNV-1a over the name, mixed with the seed. */
function streamSeed(seed: number, name: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let index = 0; index < name.length; index++) {
    hash = Math.imul(hash ^ name.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: small, fast, and good enough for initial weights; uniform in [0, 1). */
function uniformStream(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Keras-style fans from a shape. */
export function fansOf(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const field = shape.slice(0, -2).reduce((product, dimension) => product * dimension, 1);
  return { fanIn: field * shape[shape.length - 2]!, fanOut: field * shape[shape.length - 1]! };
}

function fill(count: number, spec: InitSpec, random: () => number): Float32Array {
  const values = new Float32Array(count);
  const fans = fansOf(spec.shape);
  const fanIn = spec.fanIn ?? fans.fanIn;
  const fanOut = spec.fanOut ?? fans.fanOut;
  if (spec.init === 'ones') values.fill(1);
  if (spec.init === 'glorotUniform') {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let index = 0; index < count; index++) values[index] = (random() * 2 - 1) * limit;
  }
  if (spec.init === 'heNormal') {
    const deviation = Math.sqrt(2 / fanIn);
    // Box–Muller; 1 - u keeps the logarithm finite.
    for (let index = 0; index < count; index += 2) {
      const radius = Math.sqrt(-2 * Math.log(1 - random()));
      const angle = 2 * Math.PI * random();
      values[index] = radius * Math.cos(angle) * deviation;
      if (index + 1 < count) values[index + 1] = radius * Math.sin(angle) * deviation;
    }
  }
  return values;
}

export function initWeights(specs: readonly InitSpec[], seed: number): Map<string, tf.Tensor> {
  return new Map(
    specs.map((spec) => {
      const count = spec.shape.reduce((product, dimension) => product * dimension, 1);
      const values = fill(count, spec, uniformStream(streamSeed(seed, spec.name)));
      return [spec.name, tf.tensor(values, [...spec.shape], 'float32')];
    }),
  );
}
