/**
 * Plain-loop references for convolution gradients, straight from the definition
 * y[n,i,j,o] = Σ x[n, i·s + a·d - top, j·s + b·d - left, c] · w[a,b,c,o] (zero outside x).
 * Independent of tfjs kernels; cpu's depthwise backprop kernels ignore dilation, so for
 * dilation > 1 these are the only reference.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface Geometry {
  readonly input: readonly [number, number, number, number];
  readonly filter: readonly [number, number, number, number];
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  /** Depthwise: filter is [kh, kw, C, multiplier] and output channel c·multiplier + m. */
  readonly depthwise: boolean;
}

function convInfo(g: Geometry) {
  return tf.backend_util.computeConv2DInfo(
    [...g.input] as [number, number, number, number],
    [...g.filter] as [number, number, number, number],
    [...g.strides] as [number, number],
    [...g.dilations] as [number, number],
    g.pad,
    undefined,
    g.depthwise,
  );
}

/** Calls `visit(xIndex, wIndex, yIndex)` for every product term of the forward convolution. */
function forEachTerm(g: Geometry, visit: (xIndex: number, wIndex: number, yIndex: number) => void): void {
  const info = convInfo(g);
  const [batch, height, width, channels] = g.input;
  const [kh, kw, , fourth] = g.filter;
  const outChannels = g.depthwise ? channels * fourth : fourth;
  for (let n = 0; n < batch; n++)
    for (let i = 0; i < info.outHeight; i++)
      for (let j = 0; j < info.outWidth; j++)
        for (let a = 0; a < kh; a++)
          for (let b = 0; b < kw; b++) {
            const row = i * g.strides[0] + a * g.dilations[0] - info.padInfo.top;
            const column = j * g.strides[1] + b * g.dilations[1] - info.padInfo.left;
            if (row < 0 || row >= height || column < 0 || column >= width) continue;
            for (let c = 0; c < channels; c++)
              for (let o = 0; o < (g.depthwise ? fourth : outChannels); o++) {
                const output = g.depthwise ? c * fourth + o : o;
                visit(
                  ((n * height + row) * width + column) * channels + c,
                  ((a * kw + b) * channels + c) * fourth + o,
                  ((n * info.outHeight + i) * info.outWidth + j) * outChannels + output,
                );
              }
          }
}

export function outputShape(g: Geometry): number[] {
  return convInfo(g).outShape;
}

export function inputGradient(g: Geometry, dy: Float32Array, filter: Float32Array): Float64Array {
  const dx = new Float64Array(g.input.reduce((a, b) => a * b, 1));
  forEachTerm(g, (xIndex, wIndex, yIndex) => {
    dx[xIndex] = dx[xIndex]! + dy[yIndex]! * filter[wIndex]!;
  });
  return dx;
}

export function filterGradient(g: Geometry, x: Float32Array, dy: Float32Array): Float64Array {
  const dw = new Float64Array(g.filter.reduce((a, b) => a * b, 1));
  forEachTerm(g, (xIndex, wIndex, yIndex) => {
    dw[wIndex] = dw[wIndex]! + x[xIndex]! * dy[yIndex]!;
  });
  return dw;
}
