/**
 * What conv, dwconv and sepconv share: the sliding-window shape rule, the attribute checks and
 * weight lookup. Each op file keeps its own weights, cost and kernel call.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InternalError } from '../diagnostics/diagnostic.js';
import { dim } from '../shapes/symbolic.js';
import { AttributeReader, type Pair, requireAtLeast } from './attributes.js';
import { channelsOf, expectFeatureMap, inputAt, tensorType } from './common.js';
import type { Attrs, ParamSpec, ShapeContext, TensorType, Tfjs } from './op.js';
import type { ActivationName } from './params.js';
import { spreadKernel } from './dilate.js';
import { type Window, type WindowPadding, padForWindow, readWindow, validateWindow, windowOutput } from './spatial.js';

export interface ConvolutionAttributes {
  readonly read: AttributeReader;
  readonly window: Window;
  readonly bias: boolean;
  readonly activation: ActivationName;
}

export function readConvolution(op: string, params: readonly ParamSpec[], attrs: Attrs): ConvolutionAttributes {
  const read = new AttributeReader(op, params, attrs);
  return {
    read,
    window: readWindow(read),
    bias: read.bool('bias'),
    activation: read.text('activation') as ActivationName,
  };
}

export function validateConvolution(
  op: string,
  params: readonly ParamSpec[],
  attrs: Attrs,
  counts: string[],
): string | undefined {
  const { read, window } = readConvolution(op, params, attrs);
  const strided = window.stride.some((s) => s > 1);
  const dilated = window.dilation.some((d) => d > 1);
  const both =
    strided && dilated
      ? '`stride` and `dilation` cannot both be above 1 (TensorFlow and tfjs support one or the other)'
      : undefined;
  return requireAtLeast(read, 1, ...counts) ?? validateWindow(window) ?? both;
}

/** The input feature map and its channel count, checked. */
export function convolutionInput(
  op: string,
  inputs: readonly TensorType[],
  context: ShapeContext,
): { x: TensorType; channels: number } {
  const x = expectFeatureMap(op, inputAt(op, inputs, 0, 'x'), context);
  return { x, channels: channelsOf(op, x) };
}

/** [N, Ho, Wo, outChannels] for a window over the feature map `x`. */
export function convolutionOutput(
  op: string,
  x: TensorType,
  window: Window,
  outChannels: number,
  context: ShapeContext,
): TensorType {
  const [rows, columns] = windowOutput(op, x.shape[1]!, x.shape[2]!, window, context);
  return tensorType([x.shape[0]!, rows, columns, dim(outChannels)]);
}

/** A weight the executor must supply; its absence is a mistake in segc, not in the model. */
export function weightOf(op: string, weights: Readonly<Record<string, tf.Tensor>>, role: string): tf.Tensor {
  const weight = weights[role];
  if (!weight) throw new InternalError(`${op}: weight \`${role}\` was not supplied`);
  return weight;
}

export function optionalBias(
  op: string,
  weights: Readonly<Record<string, tf.Tensor>>,
  enabled: boolean,
): tf.Tensor | undefined {
  return enabled ? weightOf(op, weights, 'bias') : undefined;
}

export interface DepthwiseRun {
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly padding: WindowPadding;
  readonly needsGradient: boolean;
}

/** A depthwise convolution without bias or activation, differentiable for every dilation. */
export function depthwise(tf: Tfjs, x: tf.Tensor4D, filter: tf.Tensor4D, run: DepthwiseRun): tf.Tensor4D {
  const { x: padded, mode } = padForWindow(tf, x, run.padding);
  const dilated = run.dilation.some((d) => d > 1);
  if (run.needsGradient && dilated) {
    return tf.depthwiseConv2d(padded, spreadKernel(tf, filter, run.dilation), [...run.stride], mode);
  }
  return tf.depthwiseConv2d(padded, filter, [...run.stride], mode, 'NHWC', [...run.dilation]);
}
