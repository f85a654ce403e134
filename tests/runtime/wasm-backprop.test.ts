import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerGradients } from '../../src/runtime/gradients.js';
import { WASM_BACKPROP_KERNELS } from '../../src/runtime/kernels/wasm-backprop.js';
import { filterGradient, inputGradient, outputShape, type Geometry } from './conv-reference.js';
import { relativeError, seededValues, useBackend, withoutLeaks } from './helpers.js';

beforeAll(() => registerGradients());

const TOLERANCE = 1e-4;
type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly outChannels: number;
  readonly kernel: [number, number];
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly pad: Pad;
}

/** Random but fixed cases: odd and even sizes, strides 1–3, all three padding kinds. */
function randomCases(count: number, seed: number, allowDilation: boolean): ConvCase[] {
  const draws = seededValues(count * 12, seed);
  let next = 0;
  const pick = (low: number, high: number) => low + Math.floor(((draws[next++]! + 1) / 2) * (high - low + 1));
  return Array.from({ length: count }, (_, index) => {
    const kernel: [number, number] = [pick(1, 4), pick(1, 4)];
    const dilated = allowDilation && index % 3 === 2;
    const strides: [number, number] = dilated ? [1, 1] : [pick(1, 3), pick(1, 3)];
    const dilations: [number, number] = dilated ? [pick(1, 3), pick(2, 3)] : [1, 1];
    const padKind = index % 3;
    const pad: Pad =
      padKind === 0
        ? 'same'
        : padKind === 1
          ? 'valid'
          : [
              [0, 0],
              [pick(0, 2), pick(0, 2)],
              [pick(0, 2), pick(0, 2)],
              [0, 0],
            ];
    const extent = (axis: 0 | 1) => (kernel[axis] - 1) * dilations[axis] + 1;
    return {
      batch: pick(1, 3),
      height: extent(0) + pick(0, 6),
      width: extent(1) + pick(0, 6),
      channels: pick(1, 4),
      outChannels: pick(1, 3),
      kernel,
      strides,
      dilations,
      pad,
    };
  });
}

function label(c: ConvCase): string {
  const pad = typeof c.pad === 'string' ? c.pad : JSON.stringify(c.pad.slice(1, 3));
  return `x[${c.batch},${c.height},${c.width},${c.channels}] k${c.kernel.join('x')} s${c.strides.join(',')} d${c.dilations.join(',')} ${pad}`;
}

/** Runs one kernel on a backend and returns its values (inputs built from the same seeds). */
async function runOn(
  backend: 'cpu' | 'wasm',
  kernel: string,
  inputs: Record<string, Float32Array>,
  shapes: Record<string, number[]>,
  attrs: object,
) {
  await useBackend(backend);
  return withoutLeaks(() => {
    const tensors = Object.fromEntries(
      Object.entries(inputs).map(([name, values]) => [name, tf.tensor(values, shapes[name])]),
    );
    const output = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
    const result = { shape: output.shape, values: output.dataSync().slice() };
    tf.dispose([output, ...Object.values(tensors)]);
    return result;
  });
}

function geometry(c: ConvCase, depthwise: boolean): Geometry {
  return {
    input: [c.batch, c.height, c.width, c.channels],
    filter: [...c.kernel, c.channels, c.outChannels],
    strides: c.strides,
    dilations: c.dilations,
    pad: c.pad,
    depthwise,
  };
}

/**
 * wasm against the plain-loop reference always, and against the cpu kernel where cpu is
 * right (dilation 1: cpu's depthwise backprop kernels ignore dilation).
 */
async function check(
  kernel: string,
  g: Geometry,
  inputs: Record<string, Float32Array>,
  shapes: Record<string, number[]>,
  attrs: object,
  reference: Float64Array,
) {
  const actual = await runOn('wasm', kernel, inputs, shapes, attrs);
  expect(relativeError(actual.values, reference)).toBeLessThanOrEqual(TOLERANCE);
  if (g.dilations[0] === 1 && g.dilations[1] === 1) {
    const expected = await runOn('cpu', kernel, inputs, shapes, attrs);
    expect(actual.shape).toEqual(expected.shape);
    expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(TOLERANCE);
  }
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('wasm backprop kernels match a plain-loop reference and cpu', () => {
  it('wasm lacks these kernels natively and gets them registered', () => {
    expect(WASM_BACKPROP_KERNELS).toEqual([
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'DepthwiseConv2dNativeBackpropFilter',
      'UnsortedSegmentSum',
    ]);
    for (const name of WASM_BACKPROP_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });

  it.each(randomCases(12, 101, false).map((c) => [label(c), c] as const))('Conv2DBackpropFilter %s', async (_, c) => {
    const g = geometry(c, false);
    const dyShape = outputShape(g);
    const x = seededValues(sizeOf(g.input), 1);
    const dy = seededValues(sizeOf(dyShape), 2);
    await check(
      'Conv2DBackpropFilter',
      g,
      { x, dy },
      { x: [...g.input], dy: dyShape },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: [...g.filter] },
      filterGradient(g, x, dy),
    );
  });

  it.each(randomCases(12, 202, true).map((c) => [label(c), c] as const))(
    'DepthwiseConv2dNativeBackpropInput %s',
    async (_, c) => {
      const g = geometry(c, true);
      const dyShape = outputShape(g);
      const dy = seededValues(sizeOf(dyShape), 3);
      const filter = seededValues(sizeOf(g.filter), 4);
      await check(
        'DepthwiseConv2dNativeBackpropInput',
        g,
        { dy, filter },
        { dy: dyShape, filter: [...g.filter] },
        { strides: c.strides, dilations: c.dilations, pad: c.pad, inputShape: [...g.input] },
        inputGradient(g, dy, filter),
      );
    },
  );

  it.each(randomCases(12, 303, true).map((c) => [label(c), c] as const))(
    'DepthwiseConv2dNativeBackpropFilter %s',
    async (_, c) => {
      const g = geometry(c, true);
      const dyShape = outputShape(g);
      const x = seededValues(sizeOf(g.input), 5);
      const dy = seededValues(sizeOf(dyShape), 6);
      await check(
        'DepthwiseConv2dNativeBackpropFilter',
        g,
        { x, dy },
        { x: [...g.input], dy: dyShape },
        { strides: c.strides, dilations: c.dilations, pad: c.pad, filterShape: [...g.filter] },
        filterGradient(g, x, dy),
      );
    },
  );

  it('UnsortedSegmentSum adds repeated ids and drops ids outside [0, numSegments)', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      await withoutLeaks(() =>
        tf.tidy(() => {
          const x = tf.tensor2d([
            [1, 2],
            [3, 4],
            [5, 6],
            [7, 8],
            [9, 10],
          ]);
          const ids = tf.tensor1d([2, 0, 2, -1, 7], 'int32');
          expect(tf.unsortedSegmentSum(x, ids, 3).arraySync()).toEqual([
            [3, 4],
            [0, 0],
            [6, 8],
          ]);
        }),
      );
    }
  });
});

/** Gradients through whole ops, the way training takes them, on wasm against cpu. */
describe('training gradients run on wasm and match cpu', () => {
  const x = (seed: number) => tf.tensor(seededValues(2 * 9 * 7 * 3, seed), [2, 9, 7, 3]) as tf.Tensor4D;
  const param = (shape: [number, number, number, number], seed: number) =>
    tf.tensor(
      seededValues(
        shape.reduce((a, b) => a * b, 1),
        seed,
      ),
      shape,
    ) as tf.Tensor4D;
  const square = (t: tf.Tensor) => tf.sum(tf.square(t)) as tf.Scalar;

  const models: Record<string, (...inputs: tf.Tensor4D[]) => tf.Scalar> = {
    'conv2d stride 2 same': (input, w) => square(tf.conv2d(input!, w!, 2, 'same')),
    'depthwiseConv2d stride 2 valid': (input, w) => square(tf.depthwiseConv2d(input!, w!, 2, 'valid')),
    'separableConv2d same': (input, depthwise, pointwise) =>
      square(tf.separableConv2d(input!, depthwise!, pointwise!, 1, 'same')),
    'conv2dTranspose stride 2': (input, w) => square(tf.conv2dTranspose(input!, w!, [2, 18, 14, 4], 2, 'same')),
    'maxPool, avgPool, resize, space/batch': (input) =>
      square(
        tf.image.resizeNearestNeighbor(
          tf.batchToSpaceND(
            tf.spaceToBatchND(
              tf.avgPool(tf.image.resizeBilinear(tf.maxPool(input!, 3, 2, 'same'), [7, 6]), 2, 1, 'valid'),
              [2, 1],
              [
                [0, 0],
                [1, 0],
              ],
            ),
            [2, 1],
            [
              [0, 0],
              [1, 0],
            ],
          ),
          [9, 5],
        ),
      ),
    gather: (input) => square(tf.gather(input!, tf.tensor1d([2, 0, 2], 'int32'), 1)),
  };
  const parameters: Record<string, [number, number, number, number][]> = {
    'conv2d stride 2 same': [[3, 3, 3, 4]],
    'depthwiseConv2d stride 2 valid': [[3, 3, 3, 2]],
    'separableConv2d same': [
      [3, 3, 3, 2],
      [1, 1, 6, 4],
    ],
    'conv2dTranspose stride 2': [[3, 3, 4, 3]],
    'maxPool, avgPool, resize, space/batch': [],
    gather: [],
  };

  async function gradientsOn(backend: 'cpu' | 'wasm', name: string): Promise<Float32Array[]> {
    await useBackend(backend);
    return withoutLeaks(() =>
      tf.tidy(() => {
        const inputs = [x(7), ...parameters[name]!.map((shape, index) => param(shape, 8 + index))];
        return tf
          .grads(models[name]! as (...t: tf.Tensor[]) => tf.Scalar)(inputs)
          .map((g) => g.dataSync().slice() as Float32Array);
      }),
    );
  }

  it.each(Object.keys(models))('%s', async (name) => {
    const expected = await gradientsOn('cpu', name);
    const actual = await gradientsOn('wasm', name);
    expect(actual.length).toBe(expected.length);
    actual.forEach((values, index) => expect(relativeError(values, expected[index]!)).toBeLessThanOrEqual(TOLERANCE));
  });
});
