/**
 * Every op of the language, and the settings that change its ONNX form, exported and run on ONNX
 * Runtime against segc's tfjs executor on cpu: outputs within 1e-4 of the largest output value.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs, engineFor, modelFromSource } from './helpers.js';

interface Case {
  readonly name: string;
  /** The body after `input x: f32[N, H, W, C]`; binds `output y`. */
  readonly body: string;
  readonly shape: readonly number[];
}

const MAP = [2, 9, 11, 4];
const CASES: readonly Case[] = [
  { name: 'conv same', body: 'output y = x -> conv(6, 3)', shape: MAP },
  { name: 'conv stride 2, relu6 fused', body: 'output y = x -> conv(6, 3, stride: 2, activation: relu6)', shape: MAP },
  { name: 'conv valid, no bias', body: 'output y = x -> conv(5, [3, 2], padding: valid, bias: false)', shape: MAP },
  { name: 'conv explicit pad', body: 'output y = x -> conv(5, 3, pad: [1, 2])', shape: MAP },
  { name: 'atrous conv', body: 'output y = x -> conv(5, 3, dilation: 2, activation: leakyRelu)', shape: MAP },
  {
    name: 'conv even kernel, stride 2 (extra padding at the end)',
    body: 'output y = x -> conv(5, 4, stride: 2)',
    shape: MAP,
  },
  { name: 'conv + bn folded + relu fused', body: 'output y = x -> conv(8, 3, bias: false) -> bn -> relu', shape: MAP },
  { name: 'dwconv multiplier 2', body: 'output y = x -> dwconv(3, multiplier: 2, activation: sigmoid)', shape: MAP },
  {
    name: 'dwconv dilated + bn',
    body: 'output y = x -> dwconv(3, dilation: 2, bias: false) -> bn -> relu6',
    shape: MAP,
  },
  { name: 'dwconv stride 2', body: 'output y = x -> dwconv(3, stride: 2)', shape: MAP },
  { name: 'sepconv', body: 'output y = x -> sepconv(7, 3, activation: tanh)', shape: MAP },
  { name: 'convTranspose same', body: 'output y = x -> convTranspose(3, 3, stride: 2)', shape: MAP },
  { name: 'convTranspose same k < s', body: 'output y = x -> convTranspose(3, 2, stride: 3)', shape: MAP },
  { name: 'convTranspose valid', body: 'output y = x -> convTranspose(3, 3, stride: 2, padding: valid)', shape: MAP },
  { name: 'bn alone', body: 'output y = x -> relu -> bn', shape: MAP },
  {
    name: 'activations',
    body: 'output y = concat([relu(x), relu6(x), leakyRelu(x, alpha: 0.2), sigmoid(x), tanh(x), hardSwish(x)])',
    shape: MAP,
  },
  {
    name: 'softmax over channels and over rows',
    body: 'output a = softmax(x)\n  output b = softmax(x, axis: 1)',
    shape: MAP,
  },
  { name: 'maxpool same', body: 'output y = x -> maxpool(3, stride: 2, padding: same)', shape: MAP },
  { name: 'maxpool valid', body: 'output y = x -> maxpool(2)', shape: MAP },
  { name: 'maxpool explicit pad', body: 'output y = x -> maxpool(3, stride: 2, pad: 1)', shape: MAP },
  { name: 'avgpool same', body: 'output y = x -> avgpool(3, stride: 2, padding: same)', shape: MAP },
  { name: 'avgpool explicit pad', body: 'output y = x -> avgpool(3, stride: 1, pad: 1)', shape: MAP },
  {
    name: 'gap, gmp, keep',
    body: 'output a = gap(x)\n  output b = gmp(x)\n  output c = gap(x, keep: true)',
    shape: MAP,
  },
  { name: 'dense after flatten', body: 'output y = x -> flatten -> dense(7, activation: relu)', shape: MAP },
  { name: 'reshape', body: 'output y = x -> reshape([11, 9, 4]) -> conv(2, 1)', shape: MAP },
  { name: 'upsample factor nearest', body: 'output y = x -> upsample(factor: 2)', shape: MAP },
  { name: 'upsample factor bilinear', body: 'output y = x -> upsample(factor: [2, 3], mode: bilinear)', shape: MAP },
  {
    name: 'upsample size bilinear, align corners',
    body: 'output y = x -> upsample(size: [20, 17], mode: bilinear, alignCorners: true, halfPixel: false)',
    shape: MAP,
  },
  {
    name: 'upsample size nearest, half pixel, up and down',
    body: 'output a = x -> upsample(size: [20, 17])\n  output b = x -> upsample(size: [5, 4])\n  output c = x -> upsample(size: [7, 3], mode: bilinear)',
    shape: MAP,
  },
  {
    name: 'upsample size nearest, no half pixel',
    body: 'output y = x -> upsample(size: [20, 17], halfPixel: false)',
    shape: MAP,
  },
  {
    name: 'upsample size nearest, align corners',
    body: 'output y = x -> upsample(size: [20, 17], alignCorners: true, halfPixel: false)',
    shape: MAP,
  },
  {
    name: 'upsample like',
    body: 'let small = x -> maxpool(2)\n  output y = small -> upsample(like: x, mode: bilinear)',
    shape: MAP,
  },
  {
    name: 'concat on channels and rows',
    body: 'output a = concat([x, relu(x)])\n  output b = concat([x, x], axis: 1)',
    shape: MAP,
  },
  {
    name: 'add, mul, max with broadcast',
    body: 'let g = gap(x, keep: true) -> sigmoid\n  output a = add(x, relu(x), x)\n  output b = mul(x, g, x)\n  output c = max(x, g)',
    shape: MAP,
  },
  { name: 'dropout is the identity', body: 'output y = x -> dropout(0.3) -> conv(2, 1)', shape: MAP },
  {
    name: 'pad constant and reflect',
    body: 'output a = pad(x, [1, 2, 0, 3], value: 0.5)\n  output b = pad(x, [2], mode: reflect)',
    shape: MAP,
  },
  {
    name: 'crop amount and like',
    body: 'let big = pad(x, [3, 1, 2, 4])\n  output a = crop(x, amount: [1, 2, 0, 3])\n  output b = crop(big, like: x)',
    shape: MAP,
  },
  { name: 'channels', body: 'output a = channels(x, 1, 3)\n  output b = channels(x, -2, 4)', shape: MAP },
  { name: 'argmax', body: 'output y = argmax(x)', shape: MAP },
  { name: 'erase', body: 'let maps = x -> conv(3, 1)\n  output y = erase(x, maps, threshold: 0.5)', shape: MAP },
];

function source(body: string, shape: readonly number[]): string {
  return `model T() {\n  input x: f32[N, ${shape[1]}, ${shape[2]}, ${shape[3]}]\n  ${body}\n}\n`;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('each op on ONNX Runtime against tfjs', () => {
  it.each(CASES)('$name', async ({ body, shape }) => {
    const model = modelFromSource(source(body, shape));
    const engine = await engineFor(model);
    const input = tf.randomNormal([...shape], 0, 1, 'float32', 7);
    const errors = await compareOutputs(model, engine, input);
    // A second run leaves no tensor behind (the first one caches folded batch-norm weights).
    const before = tf.memory().numTensors;
    await compareOutputs(model, engine, input);
    expect(tf.memory().numTensors).toBe(before);
    for (const [name, error] of Object.entries(errors)) expect(error, name).toBeLessThan(1e-4);
    input.dispose();
    model.dispose();
    await engine.dispose();
  });
});
