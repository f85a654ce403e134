/**
 * Convolutions and dense layers against the tfjs-layers layers given the same weights, on
 * every available backend. Leaks are checked around each case.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { conv } from '../../src/ops/conv.js';
import { convTranspose } from '../../src/ops/conv-transpose.js';
import { dense } from '../../src/ops/dense.js';
import { dwconv } from '../../src/ops/dwconv.js';
import { sepconv } from '../../src/ops/sepconv.js';
import { testBackends, toleranceFor, useBackend } from './backends.js';
import {
  CONV_CASES,
  CONV_TRANSPOSE_CASES,
  type ConvCase,
  DENSE_CASES,
  DWCONV_CASES,
  SEPCONV_CASES,
} from './exec-conv-cases.js';
import { expectClose, randomTensor, withoutLeaks } from './helpers.js';
import { plain, plainDepthwise } from './plain.js';
import { type Layer, errorSummary, executeChecked, kerasActivation, layersOutput, recordError } from './reference.js';

function convolutionPrefix(c: ConvCase): Layer[] {
  return c.pad
    ? [
        tfl.layers.zeroPadding2d({
          padding: [
            [c.pad[0], c.pad[0]],
            [c.pad[1], c.pad[1]],
          ],
        }),
      ]
    : [];
}

function keras(c: ConvCase) {
  const { activation, after } = kerasActivation(c.activation ?? 'none');
  const common = {
    kernelSize: c.kernel,
    strides: c.stride ?? 1,
    dilationRate: c.dilation ?? 1,
    padding: c.pad ? ('valid' as const) : (c.padding ?? 'same'),
    useBias: c.bias ?? true,
    activation,
  };
  return { common, after, prefix: convolutionPrefix(c) };
}

function attrsOf(c: ConvCase, extra: Record<string, number> = {}) {
  return {
    kernel: c.kernel,
    stride: c.stride ?? [1, 1],
    dilation: c.dilation ?? [1, 1],
    padding: c.padding ?? 'same',
    pad: c.pad ?? null,
    bias: c.bias ?? true,
    activation: c.activation ?? 'none',
    ...extra,
  };
}

/** Runs a reference whose weighted layer follows optional padding layers. */
function referenceOutput(prefix: Layer[], main: Layer, after: Layer[], x: tf.Tensor, weights: tf.Tensor[]): tf.Tensor {
  return tf.tidy(() => {
    const padded = prefix.length > 0 ? layersOutput(prefix, x, []) : x;
    return layersOutput([main, ...after], padded, weights);
  });
}

function kerasDepthwise(
  c: ConvCase & { multiplier: number },
  x: tf.Tensor,
  depthwiseKernel: tf.Tensor,
  bias: tf.Tensor,
): tf.Tensor {
  const { common, after, prefix } = keras(c);
  const layer = tfl.layers.depthwiseConv2d({ ...common, kernelSize: c.kernel, depthMultiplier: c.multiplier });
  return referenceOutput(prefix, layer, after, x, [depthwiseKernel, bias]);
}

/** Loops for the depthwise part, then tfjs-layers' bias-free pieces: bias add and activation. */
async function dilatedReference(
  c: ConvCase & { multiplier: number },
  x: tf.Tensor,
  depthwiseKernel: tf.Tensor,
  bias: tf.Tensor,
): Promise<tf.Tensor> {
  expect(c.pad).toBeUndefined();
  const loops = plainDepthwise(
    await plain(x),
    await plain(depthwiseKernel),
    c.stride ?? [1, 1],
    c.dilation ?? [1, 1],
    c.padding ?? 'same',
  );
  const { activation, after } = kerasActivation(c.activation ?? 'none');
  return tf.tidy(() => {
    const withBias = tf.add(tf.tensor(loops.values, loops.shape), bias);
    const activated = layersOutput([tfl.layers.activation({ activation })], withBias, []);
    return after.length > 0 ? layersOutput(after, activated, []) : activated;
  });
}

afterAll(() => console.log(`worst errors against references:\n${errorSummary()}`));

for (const backend of testBackends()) {
  describe(`convolutions on ${backend}`, () => {
    const tolerance = toleranceFor(backend);
    beforeAll(() => useBackend(backend));

    test.each(CONV_CASES)('conv %j', async (c) => {
      await withoutLeaks(async () => {
        const x = randomTensor(c.input, 1);
        const kernel = randomTensor([...c.kernel, c.input[3], c.filters], 2, 0.5);
        const bias = randomTensor([c.filters], 3);
        const weights: Record<string, tf.Tensor> = c.bias === false ? { kernel } : { kernel, bias };
        const y = executeChecked(conv, {
          inputs: [x],
          weights,
          attrs: attrsOf(c, { filters: c.filters }),
          context: { needsGradient: c.needsGradient ?? false },
        });
        const { common, after, prefix } = keras(c);
        const expected = referenceOutput(
          prefix,
          tfl.layers.conv2d({ ...common, filters: c.filters }),
          after,
          x,
          Object.values(weights),
        );
        recordError(`conv on ${backend}`, await expectClose(y, expected, tolerance));
        tf.dispose([x, y, expected, kernel, bias]);
      });
    });

    test.each(DWCONV_CASES)('dwconv %j', async (c) => {
      await withoutLeaks(async () => {
        const x = randomTensor(c.input, 4);
        const depthwiseKernel = randomTensor([...c.kernel, c.input[3], c.multiplier], 5, 0.5);
        const bias = randomTensor([c.input[3] * c.multiplier], 6);
        const y = executeChecked(dwconv, {
          inputs: [x],
          weights: { depthwiseKernel, bias },
          attrs: attrsOf(c, { multiplier: c.multiplier }),
          context: { needsGradient: c.needsGradient ?? false },
        });
        const dilated = (c.dilation ?? [1, 1]).some((d) => d > 1);
        const expected = dilated
          ? await dilatedReference(c, x, depthwiseKernel, bias)
          : kerasDepthwise(c, x, depthwiseKernel, bias);
        recordError(`dwconv on ${backend}`, await expectClose(y, expected, tolerance));
        tf.dispose([x, y, expected, depthwiseKernel, bias]);
      });
    });

    test.each(SEPCONV_CASES)('sepconv %j', async (c) => {
      await withoutLeaks(async () => {
        const x = randomTensor(c.input, 7);
        const depthwiseKernel = randomTensor([...c.kernel, c.input[3], 1], 8, 0.5);
        const pointwiseKernel = randomTensor([1, 1, c.input[3], c.filters], 9, 0.5);
        const bias = randomTensor([c.filters], 10);
        const weights = { depthwiseKernel, pointwiseKernel, bias };
        const y = executeChecked(sepconv, {
          inputs: [x],
          weights,
          attrs: attrsOf(c, { filters: c.filters }),
          context: { needsGradient: c.needsGradient ?? false },
        });
        const { common, after, prefix } = keras(c);
        const layer = tfl.layers.separableConv2d({
          ...common,
          kernelSize: c.kernel,
          filters: c.filters,
          depthMultiplier: 1,
        });
        const expected = referenceOutput(prefix, layer, after, x, [depthwiseKernel, pointwiseKernel, bias]);
        recordError(`sepconv on ${backend}`, await expectClose(y, expected, tolerance));
        tf.dispose([x, y, expected, depthwiseKernel, pointwiseKernel, bias]);
      });
    });

    test.each(CONV_TRANSPOSE_CASES)('convTranspose %j', async (c) => {
      await withoutLeaks(async () => {
        const x = randomTensor([...c.input], 11);
        const kernel = randomTensor([...c.kernel, c.filters, c.input[3]], 12, 0.5);
        const bias = randomTensor([c.filters], 13);
        const attrs = {
          filters: c.filters,
          kernel: [...c.kernel],
          stride: [...c.stride],
          padding: c.padding,
          activation: c.activation,
        };
        const y = executeChecked(convTranspose, { inputs: [x], weights: { kernel, bias }, attrs });
        const { activation } = kerasActivation(c.activation);
        const layer = tfl.layers.conv2dTranspose({
          filters: c.filters,
          kernelSize: [...c.kernel],
          strides: [...c.stride],
          padding: c.padding,
          activation,
        });
        const expected = layersOutput([layer], x, [kernel, bias]);
        recordError(`convTranspose on ${backend}`, await expectClose(y, expected, tolerance));
        tf.dispose([x, y, expected, kernel, bias]);
      });
    });

    test.each(DENSE_CASES)('dense %j', async (c) => {
      await withoutLeaks(async () => {
        const x = randomTensor([3, 7], 14);
        const kernel = randomTensor([7, c.units], 15, 0.5);
        const bias = randomTensor([c.units], 16);
        const weights: Record<string, tf.Tensor> = c.bias ? { kernel, bias } : { kernel };
        const y = executeChecked(dense, { inputs: [x], weights, attrs: c });
        const { activation, after } = kerasActivation(c.activation);
        const expected = layersOutput(
          [tfl.layers.dense({ units: c.units, useBias: c.bias, activation }), ...after],
          x,
          Object.values(weights),
        );
        recordError(`dense on ${backend}`, await expectClose(y, expected, tolerance));
        tf.dispose([x, y, expected, kernel, bias]);
      });
    });

    test('conv uses the right kernel layout: a one-hot kernel copies one input channel', async () => {
      await withoutLeaks(async () => {
        const x = randomTensor([1, 5, 5, 3], 17);
        const kernel = tf.tidy(() =>
          tf.reshape(tf.cast(tf.oneHot(tf.tensor1d([6], 'int32'), 27), 'float32'), [3, 3, 3, 1]),
        );
        const y = executeChecked(conv, {
          inputs: [x],
          weights: { kernel },
          attrs: { filters: 1, bias: false, padding: 'valid' },
        });
        // Index 6 of [kh, kw, Cin, 1] flattened is kh = 0, kw = 2, Cin = 0: output (i, j) reads x(i, j + 2, channel 0).
        const expected = tf.tidy(() => tf.slice(x, [0, 0, 2, 0], [1, 3, 3, 1]));
        expect((await expectClose(y, expected, 0)).abs).toBe(0);
        tf.dispose([x, kernel, y, expected]);
      });
    });
  });
}
