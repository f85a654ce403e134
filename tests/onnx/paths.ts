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
    name: 'gmp, flatten, dense tanh, softmax',
    body: 'output s = concat([gmp(a), a -> conv(2, 3, stride: 2) -> flatten], axis: 1) -> dense(3, activation: tanh) -> softmax',
  },
];

/** A path's model: `a` is a convolution of the input, 12×10×3. */
export function pathSource(body: string): string {
  return `model Path() {\n  input x: f32[N, 12, 10, 3]\n  let a = x -> conv(6, 3)\n  ${body}\n}\n`;
}
