import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import { atrousConv2d, atrousDepthwiseConv2d, type Padding } from '../../src/ops/kernels/atrous.js';
import { expectClose, finiteDifferences, seededTensor, useBackend, withoutLeaks } from './helpers.js';

beforeAll(() => registerGradients());

interface Case {
  readonly name: string;
  readonly input: [number, number, number, number];
  readonly kernel: [number, number];
  readonly dilations: [number, number];
  readonly padding: Padding;
}

const CASES: readonly Case[] = [
  { name: 'rate 2, same, odd sizes', input: [2, 7, 9, 2], kernel: [3, 3], dilations: [2, 2], padding: 'same' },
  { name: 'rate 3, same, odd sizes', input: [1, 9, 7, 2], kernel: [3, 3], dilations: [3, 3], padding: 'same' },
  { name: 'rate 2, valid', input: [1, 9, 8, 2], kernel: [3, 3], dilations: [2, 2], padding: 'valid' },
  { name: 'rate 3, valid, odd sizes', input: [2, 11, 10, 1], kernel: [3, 2], dilations: [3, 3], padding: 'valid' },
  {
    name: 'rates 2×3, explicit',
    input: [1, 8, 9, 2],
    kernel: [3, 3],
    dilations: [2, 3],
    padding: [
      [1, 2],
      [3, 0],
    ],
  },
  { name: 'rate 2, even kernel, same', input: [1, 6, 7, 2], kernel: [2, 4], dilations: [2, 2], padding: 'same' },
  {
    name: 'rates 3×1, even kernel, odd total padding, same',
    input: [1, 8, 7, 2],
    kernel: [2, 4],
    dilations: [3, 1],
    padding: 'same',
  },
];

const OUT_CHANNELS = 3;
const TOLERANCE_FORWARD = 1e-5;
const TOLERANCE_GRADIENT = 2e-3;

function tfjsPadding(padding: Padding) {
  return typeof padding === 'string'
    ? padding
    : ([[0, 0], [...padding[0]], [...padding[1]], [0, 0]] as [
        [number, number],
        [number, number],
        [number, number],
        [number, number],
      ]);
}

/** A quadratic in the output: central differences are exact for it up to rounding. */
function lossOf(y: tf.Tensor4D, weights: tf.Tensor): tf.Scalar {
  return tf.add(tf.sum(tf.mul(y, weights)), tf.mul(0.5, tf.sum(tf.square(y)))) as tf.Scalar;
}

describe.each(['cpu', 'wasm'] as const)('atrousConv2d on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES)('forward equals tf.conv2d with dilation: $name', (c) =>
    withoutLeaks(() =>
      tf.tidy(() => {
        const x = seededTensor<tf.Rank.R4>(c.input, 1);
        const filter = seededTensor<tf.Rank.R4>([...c.kernel, c.input[3], OUT_CHANNELS], 2);
        const expected = tf.conv2d(x, filter, 1, tfjsPadding(c.padding), 'NHWC', c.dilations);
        expectClose(atrousConv2d(tf, x, filter, [1, 1], c.dilations, c.padding), expected, TOLERANCE_FORWARD);
      }),
    ),
  );

  it.each(CASES)('depthwise forward equals tf.depthwiseConv2d with dilation: $name', (c) =>
    withoutLeaks(() =>
      tf.tidy(() => {
        const x = seededTensor<tf.Rank.R4>(c.input, 3);
        const filter = seededTensor<tf.Rank.R4>([...c.kernel, c.input[3], 2], 4);
        const expected = tf.depthwiseConv2d(x, filter, 1, tfjsPadding(c.padding), 'NHWC', c.dilations);
        expectClose(atrousDepthwiseConv2d(tf, x, filter, [1, 1], c.dilations, c.padding), expected, TOLERANCE_FORWARD);
      }),
    ),
  );
});

describe.each(['cpu', 'wasm'] as const)(
  'atrousConv2d gradients on %s against central finite differences',
  (backend) => {
    beforeAll(() => useBackend(backend));

    it.each(CASES)('conv: $name', (c) =>
      withoutLeaks(() =>
        tf.tidy(() => {
          const x = seededTensor<tf.Rank.R4>(c.input, 5);
          const filter = seededTensor<tf.Rank.R4>([...c.kernel, c.input[3], OUT_CHANNELS], 6);
          const outShape = atrousConv2d(tf, x, filter, [1, 1], c.dilations, c.padding).shape;
          const weights = seededTensor(outShape, 7);
          const loss = (input: tf.Tensor, kernel: tf.Tensor) =>
            lossOf(
              atrousConv2d(tf, input as tf.Tensor4D, kernel as tf.Tensor4D, [1, 1], c.dilations, c.padding),
              weights,
            );
          const [dx, dFilter] = tf.grads(loss)([x, filter]);
          expectClose(
            dx!,
            finiteDifferences(x, (v) => loss(v, filter), 0.05),
            TOLERANCE_GRADIENT,
          );
          expectClose(
            dFilter!,
            finiteDifferences(filter, (v) => loss(x, v), 0.05),
            TOLERANCE_GRADIENT,
          );
        }),
      ),
    );

    it.each(CASES.filter((_, index) => index % 2 === 0 || index === CASES.length - 1))('depthwise: $name', (c) =>
      withoutLeaks(() =>
        tf.tidy(() => {
          const x = seededTensor<tf.Rank.R4>(c.input, 8);
          const filter = seededTensor<tf.Rank.R4>([...c.kernel, c.input[3], 2], 9);
          const outShape = atrousDepthwiseConv2d(tf, x, filter, [1, 1], c.dilations, c.padding).shape;
          const weights = seededTensor(outShape, 10);
          const loss = (input: tf.Tensor, kernel: tf.Tensor) =>
            lossOf(
              atrousDepthwiseConv2d(tf, input as tf.Tensor4D, kernel as tf.Tensor4D, [1, 1], c.dilations, c.padding),
              weights,
            );
          const [dx, dFilter] = tf.grads(loss)([x, filter]);
          expectClose(
            dx!,
            finiteDifferences(x, (v) => loss(v, filter), 0.05),
            TOLERANCE_GRADIENT,
          );
          expectClose(
            dFilter!,
            finiteDifferences(filter, (v) => loss(x, v), 0.05),
            TOLERANCE_GRADIENT,
          );
        }),
      ),
    );
  },
);

describe('atrousConv2d without dilation and with bad arguments', () => {
  beforeAll(() => useBackend('cpu'));

  it('stride 2, dilation 1 is tf.conv2d and differentiable', () =>
    withoutLeaks(() =>
      tf.tidy(() => {
        const x = seededTensor<tf.Rank.R4>([1, 7, 7, 2], 11);
        const filter = seededTensor<tf.Rank.R4>([3, 3, 2, 2], 12);
        expectClose(
          atrousConv2d(tf, x, filter, [2, 2], [1, 1], 'same'),
          tf.conv2d(x, filter, 2, 'same'),
          TOLERANCE_FORWARD,
        );
        const weights = seededTensor([1, 4, 4, 2], 13);
        const loss = (input: tf.Tensor) =>
          lossOf(atrousConv2d(tf, input as tf.Tensor4D, filter, [2, 2], [1, 1], 'same'), weights);
        expectClose(tf.grad(loss)(x), finiteDifferences(x, loss, 0.05), TOLERANCE_GRADIENT);
      }),
    ));

  function codeOf(run: () => unknown): string {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(DiagnosticError);
      return (error as DiagnosticError).diagnostics[0]!.code;
    }
    throw new Error('expected a DiagnosticError');
  }

  it('rejects stride > 1 with dilation > 1 (E0510), leaking nothing', () =>
    withoutLeaks(() => {
      const x = seededTensor<tf.Rank.R4>([1, 8, 8, 1], 14);
      const filter = seededTensor<tf.Rank.R4>([3, 3, 1, 1], 15);
      expect(codeOf(() => tf.tidy(() => atrousConv2d(tf, x, filter, [2, 2], [2, 2], 'same')))).toBe('E0510');
      tf.dispose([x, filter]);
    }));

  it('rejects an input smaller than the dilated kernel under valid padding (E0511)', () =>
    withoutLeaks(() => {
      const x = seededTensor<tf.Rank.R4>([1, 4, 8, 1], 16);
      const filter = seededTensor<tf.Rank.R4>([3, 3, 1, 1], 17);
      expect(codeOf(() => tf.tidy(() => atrousConv2d(tf, x, filter, [1, 1], [2, 2], 'valid')))).toBe('E0511');
      tf.dispose([x, filter]);
    }));
});
