/**
 * Sliding-window arithmetic shared by convolutions and pools: output sizes under `same`,
 * `valid` and explicit padding, the receptive-field step, and the checks that an input is
 * large enough for its window.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { describeEnv } from '../shapes/shape-context.js';
import { type Dim, add, ceilDiv, dim, floorDiv } from '../shapes/symbolic.js';
import type { AttributeReader, Pair } from './attributes.js';
import { type ReceptiveFieldStep, type ShapeContext, ShapeError, type Tfjs } from './op.js';

export type WindowPadding =
  { readonly kind: 'same' } | { readonly kind: 'valid' } | { readonly kind: 'explicit'; readonly pad: Pair };

export interface Window {
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly padding: WindowPadding;
}

/** The pixels one kernel covers along an axis: taps `dilation` apart. */
export function extentOf(kernel: number, dilation: number): number {
  return kernel + (kernel - 1) * (dilation - 1);
}

/**
 * Reads the window attributes: the kernel (`kernel`, or `size` for pools), `stride` (absent
 * means the kernel size), `dilation`, `padding` and `pad`, each where the op declares it.
 */
export function readWindow(read: AttributeReader, kernelName = 'kernel'): Window {
  const kernel = read.pair(kernelName);
  const explicit = read.declares('pad') ? read.optionalPair('pad') : undefined;
  return {
    kernel,
    stride: read.optionalPair('stride') ?? kernel,
    dilation: read.declares('dilation') ? read.pair('dilation') : [1, 1],
    padding: explicit
      ? { kind: 'explicit', pad: explicit }
      : read.text('padding') === 'same'
        ? { kind: 'same' }
        : { kind: 'valid' },
  };
}

/** Range checks for a window's attributes; the message for `validate`. */
export function validateWindow(window: Window, kernelName = 'kernel'): string | undefined {
  const checks: [string, Pair, number][] = [
    [kernelName, window.kernel, 1],
    ['stride', window.stride, 1],
    ['dilation', window.dilation, 1],
  ];
  if (window.padding.kind === 'explicit') checks.push(['pad', window.padding.pad, 0]);
  for (const [name, values, minimum] of checks) {
    const bad = values.find((v) => v < minimum);
    if (bad !== undefined) return `\`${name}\` must be at least ${minimum}, got ${bad}`;
  }
  return undefined;
}

/**
 * Output size along one axis, TF/Keras semantics: same → ceil(H/s); valid →
 * floor((H - e)/s) + 1; explicit pad p → floor((H + 2p - e)/s) + 1, with e the extent.
 */
export function windowOutputSize(size: Dim, window: Window, axis: 0 | 1): Dim {
  const extent = extentOf(window.kernel[axis], window.dilation[axis]);
  const stride = window.stride[axis];
  switch (window.padding.kind) {
    case 'same':
      return ceilDiv(size, stride);
    case 'valid':
      return add(floorDiv(add(size, dim(-extent)), stride), dim(1));
    case 'explicit':
      return add(floorDiv(add(size, dim(2 * window.padding.pad[axis] - extent)), stride), dim(1));
  }
}

const WINDOW_HINT = 'use a larger input (constrain its size with `where`), `padding: same`, or a smaller window';

/**
 * Requires spatial output sizes of at least 1 for every allowed input size: `sizes` are the rows
 * and the columns (or one of them, from `axis` on). One error names every axis that can be
 * empty: "with H = 1, W = 1 the output would have no rows and no columns".
 */
export function requirePositive(
  op: string,
  sizes: readonly Dim[],
  context: ShapeContext,
  reason: string,
  hint = WINDOW_HINT,
  axis: 0 | 1 = 0,
): void {
  context.requirePositive(sizes, (bad) => {
    const env = new Map<string, number>();
    const words: string[] = [];
    bad.forEach((found, index) => {
      if (!found) return;
      for (const [name, value] of found.env) if (!env.has(name)) env.set(name, value);
      words.push(`no ${index + axis === 0 ? 'rows' : 'columns'}`);
    });
    const where = env.size > 0 ? `with ${describeEnv(env)} ` : '';
    return new ShapeError(`${op}: ${where}the output would have ${words.join(' and ')}: ${reason}`, 'x', hint);
  });
}

/** The spatial output [Ho, Wo] of a window over [H, W], checked to be non-empty. */
export function windowOutput(op: string, rows: Dim, columns: Dim, window: Window, context: ShapeContext): [Dim, Dim] {
  const sizes: [Dim, Dim] = [windowOutputSize(rows, window, 0), windowOutputSize(columns, window, 1)];
  const [extentRows, extentColumns] = [0, 1].map((axis) => extentOf(window.kernel[axis]!, window.dilation[axis]!));
  const extent = extentRows === extentColumns ? String(extentRows) : `${extentRows}×${extentColumns}`;
  requirePositive(op, sizes, context, `the input is smaller than the window extent ${extent}`);
  return sizes;
}

/**
 * One receptive-field step for both axes: the larger extent and the larger stride, an upper
 * bound when a window is not square.
 */
export function windowStep(window: Window): ReceptiveFieldStep {
  return {
    extent: Math.max(extentOf(window.kernel[0], window.dilation[0]), extentOf(window.kernel[1], window.dilation[1])),
    stride: Math.max(window.stride[0], window.stride[1]),
  };
}

/** TensorFlow's `same` padding [before, after] of one axis: the odd pixel goes after. */
export function samePadding(size: number, kernel: number, stride: number): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * Applies explicit padding up front so every kernel sees `valid`; returns the padding mode to
 * pass on. `value` fills the border (zero for convolutions, -Infinity for max pooling).
 */
export function padForWindow<T extends tf.Tensor4D>(
  tf: Tfjs,
  x: T,
  padding: WindowPadding,
  value = 0,
): { x: T; mode: 'same' | 'valid' } {
  if (padding.kind !== 'explicit') return { x, mode: padding.kind };
  const [rows, columns] = padding.pad;
  const padded = tf.pad(
    x,
    [
      [0, 0],
      [rows, rows],
      [columns, columns],
      [0, 0],
    ],
    value,
  ) as T;
  return { x: padded, mode: 'valid' };
}

/** A pair as code: one number when both axes agree (tfjs reads `2` as `[2, 2]`). */
export function emitPair(pair: Pair): string {
  return pair[0] === pair[1] ? String(pair[0]) : `[${pair[0]}, ${pair[1]}]`;
}

/**
 * `padForWindow` as code: the explicit padding becomes a `tf.pad` around `x` (a temporary, so
 * callers wrap the whole expression in `tf.tidy`), with the padding mode to pass on.
 */
export function emitPadForWindow(
  x: string,
  padding: WindowPadding,
  fill: string = '0',
): { readonly x: string; readonly mode: 'same' | 'valid'; readonly temporary: boolean } {
  if (padding.kind !== 'explicit') return { x, mode: padding.kind, temporary: false };
  const [rows, columns] = padding.pad;
  const value = fill === '0' ? '' : `, ${fill}`;
  return {
    x: `tf.pad(${x}, [[0, 0], [${rows}, ${rows}], [${columns}, ${columns}], [0, 0]]${value})`,
    mode: 'valid',
    temporary: true,
  };
}

/** Wraps an expression that creates temporaries in `tf.tidy`, as the op's `execute` does. */
export function emitTidy(expression: string, temporary: boolean): string {
  return temporary ? `tf.tidy(() => ${expression})` : expression;
}
