import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fansOf, initWeights, type InitSpec } from '../../src/runtime/weights-init.js';
import { useBackend, withoutLeaks } from './helpers.js';

beforeAll(() => useBackend('cpu'));

function statistics(values: ArrayLike<number>): { mean: number; deviation: number; low: number; high: number } {
  let sum = 0;
  let squares = 0;
  let low = Infinity;
  let high = -Infinity;
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    sum += value;
    squares += value * value;
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  const mean = sum / values.length;
  return { mean, deviation: Math.sqrt(squares / values.length - mean * mean), low, high };
}

const valuesOf = (specs: InitSpec[], seed: number) =>
  withoutLeaks(() => {
    const tensors = initWeights(specs, seed);
    const result = new Map([...tensors].map(([name, tensor]) => [name, Array.from(tensor.dataSync())]));
    tf.dispose([...tensors.values()]);
    return result;
  });

describe('initWeights', () => {
  it('derives fans like Keras', () => {
    expect(fansOf([3, 3, 64, 128])).toEqual({ fanIn: 576, fanOut: 1152 });
    expect(fansOf([256, 10])).toEqual({ fanIn: 256, fanOut: 10 });
    expect(fansOf([7])).toEqual({ fanIn: 7, fanOut: 7 });
    expect(fansOf([])).toEqual({ fanIn: 1, fanOut: 1 });
  });

  it('He normal has mean 0 and standard deviation sqrt(2 / fanIn)', async () => {
    const values = (await valuesOf([{ name: 'k', shape: [3, 3, 64, 64], init: 'heNormal' }], 1)).get('k')!;
    const { mean, deviation } = statistics(values);
    const expected = Math.sqrt(2 / (3 * 3 * 64));
    // 36 864 samples: the sample deviation is within 1.5 % of the true one with overwhelming odds.
    expect(Math.abs(deviation / expected - 1)).toBeLessThan(0.015);
    expect(Math.abs(mean)).toBeLessThan((4 * expected) / Math.sqrt(values.length));
  });

  it('Glorot uniform stays inside ±sqrt(6 / (fanIn + fanOut)) with the uniform variance', async () => {
    const values = (await valuesOf([{ name: 'd', shape: [200, 100], init: 'glorotUniform' }], 2)).get('d')!;
    const limit = Math.sqrt(6 / 300);
    const { deviation, low, high } = statistics(values);
    expect(low).toBeGreaterThanOrEqual(-limit);
    expect(high).toBeLessThanOrEqual(limit);
    expect(Math.min(-low, high)).toBeGreaterThan(0.99 * limit);
    expect(Math.abs(deviation / (limit / Math.sqrt(3)) - 1)).toBeLessThan(0.015);
  });

  it('honours explicit fans (a depthwise kernel uses kh·kw)', async () => {
    const values = (await valuesOf([{ name: 'dw', shape: [3, 3, 256, 1], init: 'heNormal', fanIn: 9 }], 3)).get('dw')!;
    expect(Math.abs(statistics(values).deviation / Math.sqrt(2 / 9) - 1)).toBeLessThan(0.05);
  });

  it('zeros and ones', async () => {
    const values = await valuesOf(
      [
        { name: 'b', shape: [5], init: 'zeros' },
        { name: 'g', shape: [2, 2], init: 'ones' },
      ],
      4,
    );
    expect(values.get('b')).toEqual([0, 0, 0, 0, 0]);
    expect(values.get('g')).toEqual([1, 1, 1, 1]);
  });

  it('is deterministic per seed and per name, independent of the other weights', async () => {
    const a: InitSpec = { name: 'enc/a', shape: [4, 4], init: 'heNormal' };
    const b: InitSpec = { name: 'enc/b', shape: [4, 4], init: 'glorotUniform' };
    const first = await valuesOf([a, b], 7);
    const again = await valuesOf([b, a, { name: 'new', shape: [3], init: 'heNormal' }], 7);
    expect(again.get('enc/a')).toEqual(first.get('enc/a'));
    expect(again.get('enc/b')).toEqual(first.get('enc/b'));
    expect((await valuesOf([a], 8)).get('enc/a')).not.toEqual(first.get('enc/a'));
    expect(first.get('enc/a')).not.toEqual((await valuesOf([{ ...a, name: 'enc/c' }], 7)).get('enc/c'));
  });
});
