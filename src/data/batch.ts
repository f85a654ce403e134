/**
 * Groups a stream of samples into batches as they arrive, so a data set is never decoded as a
 * whole: at most one batch of samples is held at a time.
 */
import type { Batch, LabelledBox, Sample } from './sample.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export interface BatchOptions {
  /** Drop a last batch smaller than the batch size (keeps every batch the same shape). */
  readonly dropLast?: boolean;
}

export async function* batchSamples(
  samples: AsyncIterable<Sample>,
  size: number,
  options: BatchOptions = {},
): AsyncGenerator<Batch> {
  if (!Number.isInteger(size) || size <= 0)
    throw diagnosticError(codes.dataBadOption, `the batch size must be a positive integer, got ${size}`, {
      file: '<data>',
    });
  let pending: Sample[] = [];
  for await (const sample of samples) {
    pending.push(sample);
    if (pending.length < size) continue;
    yield stackSamples(pending);
    pending = [];
  }
  if (pending.length > 0 && !options.dropLast) yield stackSamples(pending);
}

function checkSameSize(samples: readonly Sample[]): void {
  const first = samples[0]!;
  for (const sample of samples) {
    if (sample.height === first.height && sample.width === first.width) continue;
    throw diagnosticError(
      codes.batchSizeMismatch,
      `${sample.id} is ${sample.height}×${sample.width} but ${first.id}, in the same batch, is ${first.height}×${first.width}`,
      {
        hint: 'resize or crop the samples to one size (augmentation options `resize` or `crop`), or use a batch size of 1',
        file: '<data>',
      },
    );
  }
}

/** One batch from samples of equal size. */
export function stackSamples(samples: readonly Sample[]): Batch {
  checkSameSize(samples);
  const { height, width } = samples[0]!;
  const pixels = height * width;
  const images = new Float32Array(samples.length * pixels * 3);
  samples.forEach((sample, index) => images.set(sample.image, index * pixels * 3));
  const masks = samples.every((sample) => sample.mask) ? new Uint8Array(samples.length * pixels) : undefined;
  if (masks) samples.forEach((sample, index) => masks.set(sample.mask!, index * pixels));
  const labels = samples.every((sample) => sample.label !== undefined)
    ? Int32Array.from(samples, (sample) => sample.label!)
    : undefined;
  const boxes = samples.some((sample) => sample.boxes)
    ? samples.map((sample): readonly LabelledBox[] => sample.boxes ?? [])
    : undefined;
  return {
    ids: samples.map((sample) => sample.id),
    size: samples.length,
    height,
    width,
    images,
    ...(masks ? { masks } : {}),
    ...(labels ? { labels } : {}),
    ...(boxes ? { boxes } : {}),
  };
}
