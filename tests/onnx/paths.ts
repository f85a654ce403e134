import * as tf from '@tensorflow/tfjs-core';
import type { SegModel } from '../../src/runtime/model.js';

/** Paths from an explained layer `a` to a score `s`, covering every op with a derivative. */
export const HEAD = 'gap -> dense(3)';
export const PATHS: readonly { name: string; body: string; kinked?: boolean }[] = [
  { name: 'conv, bn, relu, gap, dense', body: `output s = a -> conv(5, 3, bias: false) -> bn -> relu -> ${HEAD}` },
  {
    name: 'strided dwconv with relu6, leaky conv, bilinear upsample like',
    kinked: true,
    body: `output s = a -> dwconv(3, stride: 2, activation: relu6) -> conv(6, 1, activation: leakyRelu) -> upsample(like: a, mode: bilinear) -> ${HEAD}`,
  },
  {
    name: 'nearest upsample, strided valid conv',
    body: `output s = a -> upsample(size: [24, 20]) -> conv(4, 2, stride: 2, padding: valid) -> ${HEAD}`,
  },
  {
    name: 'gate: gap keep, sigmoid, mul with broadcast',
    body: `let gate = a -> gap(keep: true) -> conv(6, 1) -> sigmoid\n  output s = mul(a, gate) -> ${HEAD}`,
  },
  { name: 'add, max, tanh', body: `output s = add(a, max(a, tanh(a)), a) -> ${HEAD}` },
  {
    name: 'sepconv, strided and dilated',
    body: `output s = a -> sepconv(4, 3, stride: 2, activation: sigmoid) -> sepconv(3, 3, dilation: 2) -> ${HEAD}`,
  },
  { name: 'concat of branches', body: `output s = concat([a, relu(a)]) -> conv(3, 3, stride: 2) -> ${HEAD}` },
  {
    name: 'pad, crop, channels, hardSwish, dropout',
    body: `output s = a -> pad([1, 0, 2, 1]) -> crop(amount: [1, 0, 2, 1]) -> channels(1, 5) -> hardSwish -> dropout(0.2) -> conv(2, 3) -> ${HEAD}`,
  },
  {
    name: 'maxpool: valid, strided same, explicit pad',
    body: `output s = add(a -> maxpool(2) -> upsample(like: a), a -> maxpool(3, stride: 2, padding: same) -> upsample(like: a), a -> maxpool(3, stride: 1, pad: [1, 1])) -> ${HEAD}`,
  },
  {
    name: 'avgpool: valid with a remainder, strided same, explicit pad',
    body: `output s = add(a -> avgpool(3, stride: 2) -> upsample(like: a), a -> avgpool(3, stride: 2, padding: same) -> upsample(like: a), a -> avgpool(3, stride: 1, pad: [1, 1])) -> ${HEAD}`,
  },
  {
    name: 'convTranspose: same, valid with relu, kernel below stride',
    body: `output s = concat([a -> convTranspose(4, 3, stride: 2) -> conv(2, 3, stride: 2), a -> convTranspose(3, 2, stride: 2, padding: valid, activation: relu) -> crop(like: a), a -> convTranspose(2, 1, stride: 2) -> avgpool(2)]) -> ${HEAD}`,
  },
  {
    name: 'erase, crop(like:), reflect pad',
    body: `let b = a -> conv(4, 3, padding: valid)\n  output s = erase(a, by: a -> conv(3, 1), threshold: 0.5) -> pad([2, 1, 1, 2], mode: reflect) -> crop(like: b) -> conv(3, 3) -> ${HEAD}`,
  },
  {
    name: 'prelu on a map and after dense, hardSigmoid gate and hardSigmoid',
    body: `let gate = a -> gap(keep: true) -> conv(6, 1) -> hardSigmoid\n  output s = mul(a -> prelu, gate) -> hardSigmoid(alpha: 0.3, beta: 0.4) -> gap -> dense(4) -> prelu -> dense(3)`,
  },
  {
    name: 'gmp, flatten, dense tanh, softmax',
    body: 'output s = concat([gmp(a), a -> conv(2, 3, stride: 2) -> flatten], axis: 1) -> dense(3, activation: tanh) -> softmax',
  },
];

/** A path's model: `a` is a convolution of the input, 12×10×3. */
export function pathSource(body: string): string {
  return `model Path() {\n  input x: f32[N, 12, 10, 3]\n  let a = x -> conv(6, 3)\n  ${body}\n}\n`;
}

/**
 * Explained values on the kinks of hardSigmoid and prelu: `a = relu(x)` is 0, 0, 1, 2, 4, 6, 7, 3
 * along each row, so αa + β with α 0.25, β −0.5 is 0 at a = 2 and 1 at a = 6, and prelu sees 0.
 */
export const KINK_ROW: readonly number[] = [-1, 0, 1, 2, 4, 6, 7, 3];
const KINK_SHAPE = [2, 1, KINK_ROW.length, 3] as const;

export const KINK_PATHS: readonly {
  name: string;
  body: string;
  /** ∂S/∂a at one value of the row, from the cotangent c of the op's output and the channel's slope. */
  expected: (a: number, c: number, slope: number) => number;
}[] = [
  {
    // tfjs's clip passes the cotangent at both bounds.
    name: 'hardSigmoid at 0 and 1',
    body: `output s = a -> hardSigmoid(alpha: 0.25, beta: -0.5) -> ${HEAD}`,
    expected: (a, c) => (0.25 * a - 0.5 >= 0 && 0.25 * a - 0.5 <= 1 ? 0.25 * c : 0),
  },
  {
    // tfjs's prelu takes the slope where x ≤ 0.
    name: 'prelu at 0',
    body: `output s = a -> prelu -> ${HEAD}`,
    expected: (a, c, slope) => (a > 0 ? c : slope * c),
  },
];

export function kinkSource(body: string): string {
  return `model Kinks() {\n  input x: f32[N, 1, ${KINK_ROW.length}, 3]\n  let a = x -> relu\n  ${body}\n}\n`;
}

/** Two images of the row in each of 3 channels. */
export function kinkInput(): tf.Tensor4D {
  return tf.tensor4d(
    [0, 1].flatMap(() => KINK_ROW.flatMap((v) => [v, v, v])),
    [...KINK_SHAPE],
  );
}

/**
 * ∂(Σ selector ⊙ s)/∂a in closed form, flattened: the head gap → dense(3) gives the op's output
 * the cotangent c = selector · Kᵀ / W per channel (K the dense kernel).
 */
export function kinkExpected(model: SegModel, path: (typeof KINK_PATHS)[number], selector: tf.Tensor2D): number[] {
  const weight = (suffix: string) => [...model.weights].find(([name]) => name.endsWith(suffix))?.[1];
  const kernel = weight('/kernel')!;
  const c = tf.tidy(() => tf.div(tf.matMul(selector, kernel as tf.Tensor2D, false, true), KINK_ROW.length).arraySync());
  const slope = weight('/alpha')?.dataSync() ?? [0, 0, 0];
  return (c as number[][]).flatMap((perChannel) =>
    KINK_ROW.flatMap((x) => perChannel.map((value, k) => path.expected(Math.max(x, 0), value, slope[k]!))),
  );
}
