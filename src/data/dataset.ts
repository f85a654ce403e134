/**
 * A data set over any source of samples (files on disk, generated in memory): seeded
 * shuffling per epoch, seeded augmentation per sample, streamed batching, and the policy for
 * bad files. Browser-safe; the Node file reader lives in src/data/node/.
 */
import { type AugmentOptions, augmentSample, checkAugmentOptions } from './augment.js';
import { type BatchOptions, batchSamples } from './batch.js';
import { DataProblemError } from './problems.js';
import { Random, deriveSeed, permutation } from './random.js';
import type { Batch, DataProblem, Layout, Sample } from './sample.js';

/** Where samples come from: ids known up front, each sample decoded only when asked for. */
export interface SampleSource {
  readonly root: string;
  readonly layout: Layout;
  /** Image-level classes (labels and boxes index into them). */
  readonly classes: readonly string[];
  /** Mask classes; the same list as `classes` unless the data set says otherwise. */
  readonly maskClasses: readonly string[];
  readonly ids: readonly string[];
  /** Throws DataProblemError for a bad file. */
  load(index: number): Promise<Sample>;
}

/** `stop`: throw the first bad file's problem. `skip`: leave the file out and keep the problem. */
export type BadFilePolicy = 'skip' | 'stop';

export interface IterationOptions {
  /** Visit samples in a seeded random order (different each epoch). */
  readonly shuffle?: boolean;
  readonly seed?: number;
  readonly epoch?: number;
  readonly augment?: AugmentOptions;
}

export interface Dataset extends Omit<SampleSource, 'load'> {
  readonly size: number;
  /** Problems met so far (found while opening, and while loading with `skip`), each once however many epochs meet it. */
  readonly problems: readonly DataProblem[];
  /** One sample, without augmentation. Throws DataProblemError for a bad file under either policy. */
  load(index: number): Promise<Sample>;
  samples(options?: IterationOptions): AsyncGenerator<Sample>;
  batches(size: number, options?: IterationOptions & BatchOptions): AsyncGenerator<Batch>;
}

export interface DatasetOptions {
  readonly onBadFile?: BadFilePolicy;
  /** Problems the source found before loading anything (e.g. an image without a mask). */
  readonly problems?: readonly DataProblem[];
}

/** The visiting order of one epoch. */
export function epochOrder(size: number, options: IterationOptions): number[] {
  if (!options.shuffle) return Array.from({ length: size }, (_, index) => index);
  return permutation(size, deriveSeed(options.seed ?? 0, 'order', options.epoch ?? 0));
}

/** The generator that augments one sample; depends only on the seed, the epoch and the sample id. */
export function sampleRandom(options: IterationOptions, id: string): Random {
  return new Random(deriveSeed(options.seed ?? 0, 'augment', options.epoch ?? 0, id));
}

/** Samples in epoch order, augmented; bad files are thrown under `stop` and handed to `keep` under `skip`. */
async function* iterate(
  source: SampleSource,
  policy: BadFilePolicy,
  keep: (problem: DataProblem) => void,
  iteration: IterationOptions,
): AsyncGenerator<Sample> {
  if (iteration.augment) checkAugmentOptions(iteration.augment);
  for (const index of epochOrder(source.ids.length, iteration)) {
    let sample: Sample;
    try {
      sample = await source.load(index);
    } catch (error) {
      if (!(error instanceof DataProblemError) || policy === 'stop') throw error;
      keep(error.problem);
      continue;
    }
    yield iteration.augment ? augmentSample(sample, iteration.augment, sampleRandom(iteration, sample.id)) : sample;
  }
}

export function createDataset(source: SampleSource, options: DatasetOptions = {}): Dataset {
  const policy = options.onBadFile ?? 'stop';
  const problems = new Map<string, DataProblem>();
  const keep = (problem: DataProblem) => problems.set(`${problem.code} ${problem.file} ${problem.message}`, problem);
  (options.problems ?? []).forEach(keep);
  const samples = (iteration: IterationOptions = {}) => iterate(source, policy, keep, iteration);
  return {
    root: source.root,
    layout: source.layout,
    classes: source.classes,
    maskClasses: source.maskClasses,
    ids: source.ids,
    size: source.ids.length,
    get problems() {
      return [...problems.values()];
    },
    load: (index) => source.load(index),
    samples,
    batches: (size, iteration = {}) => batchSamples(samples(iteration), size, iteration),
  };
}
