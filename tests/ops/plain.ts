/**
 * Plain-loop references for ops without a tfjs-layers counterpart (or whose counterpart
 * differs): written from the definitions, sharing no code with src/ops.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface PlainTensor {
  readonly shape: number[];
  readonly values: Float32Array;
}

export async function plain(t: tf.Tensor): Promise<PlainTensor> {
  return { shape: [...t.shape], values: Float32Array.from(await t.data()) };
}

/** TensorFlow's `same` split: total padding max((out - 1) * s + e - size, 0), the odd pixel after. */
function paddingBefore(
  size: number,
  extent: number,
  stride: number,
  mode: 'same' | 'valid',
): { out: number; before: number } {
  if (mode === 'valid') return { out: Math.floor((size - extent) / stride) + 1, before: 0 };
  const out = Math.ceil(size / stride);
  return { out, before: Math.floor(Math.max((out - 1) * stride + extent - size, 0) / 2) };
}

/**
 * Depthwise convolution by loops (NHWC, kernel [kh, kw, C, m], output channel c * m + k), with
 * dilation: tfjs-layers' DepthwiseConv2D ignores its dilation rate, so it cannot serve here.
 */
export function plainDepthwise(
  x: PlainTensor,
  kernel: PlainTensor,
  stride: [number, number],
  dilation: [number, number],
  mode: 'same' | 'valid',
): PlainTensor {
  const [n, rows, columns, channels] = x.shape as [number, number, number, number];
  const [kh, kw, , multiplier] = kernel.shape as [number, number, number, number];
  const r = paddingBefore(rows, kh + (kh - 1) * (dilation[0] - 1), stride[0], mode);
  const c = paddingBefore(columns, kw + (kw - 1) * (dilation[1] - 1), stride[1], mode);
  const outChannels = channels * multiplier;
  const values = new Float32Array(n * r.out * c.out * outChannels);
  const at = (b: number, i: number, j: number, ch: number) =>
    i < 0 || j < 0 || i >= rows || j >= columns ? 0 : x.values[((b * rows + i) * columns + j) * channels + ch]!;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < r.out; i++)
      for (let j = 0; j < c.out; j++)
        for (let ch = 0; ch < channels; ch++)
          for (let m = 0; m < multiplier; m++) {
            let sum = 0;
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const weight = kernel.values[((u * kw + v) * channels + ch) * multiplier + m]!;
                sum +=
                  weight *
                  at(b, i * stride[0] - r.before + u * dilation[0], j * stride[1] - c.before + v * dilation[1], ch);
              }
            values[((b * r.out + i) * c.out + j) * outChannels + ch * multiplier + m] = sum;
          }
  return { shape: [n, r.out, c.out, outChannels], values };
}

/** Index into an NHWC tensor. */
function offset(shape: number[], b: number, i: number, j: number, c: number): number {
  return ((b * shape[1]! + i) * shape[2]! + j) * shape[3]! + c;
}

function mapNHWC(shape: number[], value: (b: number, i: number, j: number, c: number) => number): PlainTensor {
  const values = new Float32Array(shape.reduce((p, v) => p * v, 1));
  for (let b = 0; b < shape[0]!; b++)
    for (let i = 0; i < shape[1]!; i++)
      for (let j = 0; j < shape[2]!; j++)
        for (let c = 0; c < shape[3]!; c++) values[offset(shape, b, i, j, c)] = value(b, i, j, c);
  return { shape, values };
}

export type Sampling = 'halfPixel' | 'alignCorners' | 'legacy';

/** Source coordinate of output index `i` when resizing `from` → `to` pixels. */
function sourceOf(i: number, from: number, to: number, sampling: Sampling): number {
  if (sampling === 'alignCorners') return to > 1 ? (i * (from - 1)) / (to - 1) : 0;
  if (sampling === 'halfPixel') return ((i + 0.5) * from) / to - 0.5;
  return (i * from) / to;
}

export function plainBilinear(x: PlainTensor, rows: number, columns: number, sampling: Sampling): PlainTensor {
  const [n, inRows, inColumns, channels] = x.shape as [number, number, number, number];
  const axis = (i: number, from: number, to: number) => {
    const source = Math.min(Math.max(sourceOf(i, from, to, sampling), 0), from - 1);
    const low = Math.floor(source);
    return { low, high: Math.min(low + 1, from - 1), fraction: source - low };
  };
  return mapNHWC([n, rows, columns, channels], (b, i, j, c) => {
    const [r, q] = [axis(i, inRows, rows), axis(j, inColumns, columns)];
    const value = (u: number, v: number) => x.values[offset(x.shape, b, u, v, c)]!;
    const top = value(r.low, q.low) + (value(r.low, q.high) - value(r.low, q.low)) * q.fraction;
    const bottom = value(r.high, q.low) + (value(r.high, q.high) - value(r.high, q.low)) * q.fraction;
    return top + (bottom - top) * r.fraction;
  });
}

/** Nearest neighbour: floor of the source coordinate (rounded when corners align), clamped. */
export function plainNearest(x: PlainTensor, rows: number, columns: number, sampling: Sampling): PlainTensor {
  const [n, inRows, inColumns, channels] = x.shape as [number, number, number, number];
  const pick = (i: number, from: number, to: number) => {
    const source = sampling === 'halfPixel' ? ((i + 0.5) * from) / to : sourceOf(i, from, to, sampling);
    const index = sampling === 'alignCorners' ? Math.round(source) : Math.floor(source);
    return Math.min(Math.max(index, 0), from - 1);
  };
  return mapNHWC(
    [n, rows, columns, channels],
    (b, i, j, c) => x.values[offset(x.shape, b, pick(i, inRows, rows), pick(j, inColumns, columns), c)]!,
  );
}

/** Max pooling where padded positions never win (PyTorch semantics). */
export function plainMaxPool(
  x: PlainTensor,
  size: [number, number],
  stride: [number, number],
  pad: [number, number],
): PlainTensor {
  const [n, rows, columns, channels] = x.shape as [number, number, number, number];
  const out = (length: number, axis: 0 | 1) => Math.floor((length + 2 * pad[axis] - size[axis]) / stride[axis]) + 1;
  return mapNHWC([n, out(rows, 0), out(columns, 1), channels], (b, i, j, c) => {
    let best = -Infinity;
    for (let u = 0; u < size[0]; u++)
      for (let v = 0; v < size[1]; v++) {
        const [r, q] = [i * stride[0] - pad[0] + u, j * stride[1] - pad[1] + v];
        if (r >= 0 && q >= 0 && r < rows && q < columns) best = Math.max(best, x.values[offset(x.shape, b, r, q, c)]!);
      }
    return best;
  });
}

/** Mirror index for reflect (edge not repeated) and symmetric (edge repeated) padding. */
function mirror(index: number, length: number, mode: 'reflect' | 'symmetric'): number {
  if (index < 0) return mode === 'reflect' ? -index : -index - 1;
  if (index >= length) return mode === 'reflect' ? 2 * (length - 1) - index : 2 * length - 1 - index;
  return index;
}

export function plainPad(
  x: PlainTensor,
  border: [number, number, number, number],
  mode: 'constant' | 'reflect' | 'symmetric',
  fill: number,
): PlainTensor {
  const [n, rows, columns, channels] = x.shape as [number, number, number, number];
  const [top, bottom, left, right] = border;
  return mapNHWC([n, rows + top + bottom, columns + left + right, channels], (b, i, j, c) => {
    const [r, q] = [i - top, j - left];
    const inside = r >= 0 && q >= 0 && r < rows && q < columns;
    if (mode === 'constant') return inside ? x.values[offset(x.shape, b, r, q, c)]! : fill;
    return x.values[offset(x.shape, b, mirror(r, rows, mode), mirror(q, columns, mode), c)]!;
  });
}

export function plainCrop(x: PlainTensor, top: number, left: number, rows: number, columns: number): PlainTensor {
  return mapNHWC(
    [x.shape[0]!, rows, columns, x.shape[3]!],
    (b, i, j, c) => x.values[offset(x.shape, b, i + top, j + left, c)]!,
  );
}

export function plainChannels(x: PlainTensor, start: number, end: number): PlainTensor {
  return mapNHWC(
    [x.shape[0]!, x.shape[1]!, x.shape[2]!, end - start],
    (b, i, j, c) => x.values[offset(x.shape, b, i, j, c + start)]!,
  );
}

/** Argmax over the last axis of an NHWC tensor; the first maximum wins. */
export function plainArgmaxChannels(x: PlainTensor): { shape: number[]; values: Int32Array } {
  const [n, rows, columns, channels] = x.shape as [number, number, number, number];
  const values = new Int32Array(n * rows * columns);
  for (let p = 0; p < values.length; p++) {
    let best = 0;
    for (let c = 1; c < channels; c++) if (x.values[p * channels + c]! > x.values[p * channels + best]!) best = c;
    values[p] = best;
  }
  return { shape: [n, rows, columns], values };
}

/**
 * ACoL erasing by the definition: per image pick a class (given, or argmax of the spatial mean
 * of `by`), min-max normalise its map, zero `x` where the normalised value ≥ threshold.
 */
export function plainErase(x: PlainTensor, by: PlainTensor, threshold: number, classes?: number[]): PlainTensor {
  const [n, rows, columns] = x.shape as [number, number, number, number];
  const count = by.shape[3]!;
  const mapValue = (b: number, i: number, j: number, k: number) => by.values[offset(by.shape, b, i, j, k)]!;
  const erased: boolean[][] = [];
  for (let b = 0; b < n; b++) {
    const means = Array.from({ length: count }, (_, k) => {
      let sum = 0;
      for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) sum += mapValue(b, i, j, k);
      return sum / (rows * columns);
    });
    const chosen = classes?.[b] ?? means.indexOf(Math.max(...means));
    const map = Array.from({ length: rows * columns }, (_, p) =>
      mapValue(b, Math.floor(p / columns), p % columns, chosen),
    );
    const [low, high] = [Math.min(...map), Math.max(...map)];
    erased.push(map.map((m) => (high > low ? (m - low) / (high - low) : 0) >= threshold));
  }
  return mapNHWC([...x.shape], (b, i, j, c) =>
    erased[b]![i * columns + j] ? 0 : x.values[offset(x.shape, b, i, j, c)]!,
  );
}

export function plainHardSwish(x: PlainTensor): PlainTensor {
  return { shape: x.shape, values: x.values.map((v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6) };
}
