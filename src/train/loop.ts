/**
 * The training loop, browser-safe: batches in each epoch's seeded order, one step per batch,
 * an end-of-epoch validation and checkpoint, and a stop request honoured between steps (the
 * step in progress finishes, the position is saved, and a resumed run carries on from exactly
 * there). Storage, progress display and signals are the caller's, through `LoopHooks`.
 */
import { type AugmentOptions, augmentSample } from '../data/augment.js';
import { epochOrder, sampleRandom, type Dataset, type IterationOptions } from '../data/dataset.js';
import { DataProblemError } from '../data/problems.js';
import { deriveSeed } from '../data/random.js';
import type { DataProblem, Sample } from '../data/sample.js';
import type { SegModel } from '../runtime/model.js';
import { batchTensors, disposeBatch, fitSample } from './inputs.js';
import type { Optimizer } from './optimizer.js';
import { learningRateAt } from './schedule.js';
import { EMPTY_SUMS, type EpochRecord, type RunningSums, type TrainState } from './state.js';
import { trainStep } from './step.js';
import type { InputSpec, Task } from './task.js';
import { keepsMask, masksFromBoxes, withNoisyLabels, withoutMask } from './weak.js';

export interface StepProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  readonly step: number;
  readonly totalSteps: number;
  /** Mean loss and accuracy so far in this epoch. */
  readonly loss: number;
  readonly accuracy: number;
  readonly imagesPerSecond: number;
  readonly learningRate: number;
}

export interface LoopHooks {
  onStep?(progress: StepProgress): void;
  onEpoch?(record: EpochRecord, state: TrainState): void;
  /** A bad file left out under the `skip` policy. */
  onProblem?(problem: DataProblem): void;
  /** Scores on the validation set after each epoch. */
  validate?(model: SegModel): Promise<Record<string, number | null>>;
  /** Saves a checkpoint: after each epoch, and when stopping early. */
  checkpoint(state: TrainState): Promise<void>;
  /** Asked between steps; true stops the run after a checkpoint. */
  shouldStop?(): boolean;
  /** Monotonic seconds (injected so tests need no clock). */
  now?(): number;
}

export interface LoopContext {
  readonly model: SegModel;
  readonly task: Task;
  readonly input: InputSpec;
  readonly optimizer: Optimizer;
  readonly dataset: Dataset;
  readonly skipBadFiles?: boolean;
}

export type LoopOutcome = 'finished' | 'stopped';

export function batchesPerEpoch(size: number, batchSize: number): number {
  return Math.ceil(size / batchSize);
}

export function totalSteps(state: TrainState, size: number): number {
  return state.config.epochs * batchesPerEpoch(size, state.config.batchSize);
}

function iteration(state: TrainState, epoch: number): IterationOptions {
  return { shuffle: true, seed: state.config.seed, epoch };
}

/** The run's augmentation for one sample: scale-crop to the model's input size (or the sample's own), then flip. */
function augmentOptions(state: TrainState, input: InputSpec, sample: Sample): AugmentOptions | undefined {
  const { flip, scaleCrop } = state.config;
  if (!flip && !scaleCrop) return undefined;
  const crop = scaleCrop && {
    height: input.height ?? sample.height,
    width: input.width ?? sample.width,
    scale: scaleCrop,
  };
  return { ...(crop ? { crop } : {}), flip };
}

/**
 * Label noise (any task), box masks and the share of images that keep their masks (segmentation
 * only), before augmentation.
 */
function weakSupervision(context: LoopContext, state: TrainState, sample: Sample): Sample {
  const { boxMasks, boxInner, maskShare, labelNoise } = state.config;
  const { classes, maskClasses } = context.dataset;
  if (labelNoise !== undefined && labelNoise > 0)
    sample = withNoisyLabels(sample, classes.length, maskClasses.length, labelNoise, state.config.seed);
  if (context.task.kind !== 'segmentation') return sample;
  let result = boxMasks ? masksFromBoxes(sample, classes, maskClasses, boxMasks, boxInner) : sample;
  if (maskShare !== undefined && !keepsMask(sample.id, maskShare, state.config.seed)) result = withoutMask(result);
  return result;
}

async function loadSamples(
  context: LoopContext,
  state: TrainState,
  epoch: number,
  indices: readonly number[],
  hooks: LoopHooks,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const index of indices) {
    let sample: Sample;
    try {
      sample = await context.dataset.load(index);
    } catch (error) {
      if (!(error instanceof DataProblemError) || !context.skipBadFiles) throw error;
      hooks.onProblem?.(error.problem);
      continue;
    }
    sample = weakSupervision(context, state, sample);
    const augment = augmentOptions(state, context.input, sample);
    if (augment) sample = augmentSample(sample, augment, sampleRandom(iteration(state, epoch), sample.id));
    samples.push(fitSample(sample, context.input));
  }
  return samples;
}

function addStep(
  sums: RunningSums,
  loss: number,
  correct: number,
  counted: number,
  images: number,
  seconds: number,
): RunningSums {
  return {
    lossSum: sums.lossSum + loss,
    batches: sums.batches + 1,
    correct: sums.correct + correct,
    counted: sums.counted + counted,
    images: sums.images + images,
    seconds: sums.seconds + seconds,
  };
}

/** Trains one batch and returns the advanced state (or the same state when every file was bad). */
async function trainBatch(
  context: LoopContext,
  state: TrainState,
  indices: readonly number[],
  hooks: LoopHooks,
  steps: number,
): Promise<TrainState> {
  const clock = hooks.now ?? (() => performance.now() / 1000);
  const started = clock();
  const samples = await loadSamples(context, state, state.epoch, indices, hooks);
  const advanced = { ...state, batchInEpoch: state.batchInEpoch + 1 };
  if (samples.length === 0) return advanced;
  const { config } = state;
  const learningRate = learningRateAt(config.schedule, config.learningRate, state.step, steps);
  const imageLevel =
    config.maskShare !== undefined && config.maskShare < 1
      ? { classes: context.dataset.classes, maskClasses: context.dataset.maskClasses }
      : undefined;
  const batch = batchTensors(samples, context.input, context.task, config.multiLabel, imageLevel);
  try {
    const result = await trainStep(context.model, context.task, context.optimizer, batch, {
      learningRate,
      weightDecay: config.weightDecay,
      seed: deriveSeed(config.seed, 'step', state.step) % 2147483647,
      multiLabel: config.multiLabel,
      ...(config.loss ? { loss: config.loss } : {}),
      ...(config.imageLabelWeight !== undefined ? { imageLabelWeight: config.imageLabelWeight } : {}),
    });
    const running = addStep(
      state.running,
      result.loss,
      result.correct,
      result.counted,
      samples.length,
      clock() - started,
    );
    return { ...advanced, step: state.step + 1, running };
  } finally {
    disposeBatch(batch);
  }
}

function progressOf(state: TrainState, batches: number, steps: number): StepProgress {
  const { running, config } = state;
  return {
    epoch: state.epoch,
    epochs: config.epochs,
    batch: state.batchInEpoch,
    batches,
    step: state.step,
    totalSteps: steps,
    loss: running.batches ? running.lossSum / running.batches : 0,
    accuracy: running.counted ? running.correct / running.counted : 0,
    imagesPerSecond: running.seconds > 0 ? running.images / running.seconds : 0,
    learningRate: learningRateAt(config.schedule, config.learningRate, Math.max(0, state.step - 1), steps),
  };
}

async function finishEpoch(
  context: LoopContext,
  state: TrainState,
  hooks: LoopHooks,
  steps: number,
): Promise<TrainState> {
  const { running } = state;
  const validation = hooks.validate ? await hooks.validate(context.model) : undefined;
  const record: EpochRecord = {
    epoch: state.epoch + 1,
    loss: running.batches ? running.lossSum / running.batches : 0,
    accuracy: running.counted ? running.correct / running.counted : 0,
    learningRate: learningRateAt(state.config.schedule, state.config.learningRate, Math.max(0, state.step - 1), steps),
    images: running.images,
    seconds: running.seconds,
    ...(validation ? { validation } : {}),
  };
  const next: TrainState = {
    ...state,
    epoch: state.epoch + 1,
    batchInEpoch: 0,
    running: EMPTY_SUMS,
    history: [...state.history, record],
  };
  await hooks.checkpoint(next);
  hooks.onEpoch?.(record, next);
  return next;
}

/** Runs from `state` to the last epoch, or until `shouldStop`; returns the final state. */
export async function trainLoop(
  context: LoopContext,
  start: TrainState,
  hooks: LoopHooks,
): Promise<{ state: TrainState; outcome: LoopOutcome }> {
  let state = start;
  const size = context.dataset.size;
  const batches = batchesPerEpoch(size, state.config.batchSize);
  const steps = totalSteps(state, size);
  while (state.epoch < state.config.epochs) {
    const order = epochOrder(size, iteration(state, state.epoch));
    while (state.batchInEpoch < batches) {
      if (hooks.shouldStop?.()) {
        await hooks.checkpoint(state);
        return { state, outcome: 'stopped' };
      }
      const first = state.batchInEpoch * state.config.batchSize;
      state = await trainBatch(context, state, order.slice(first, first + state.config.batchSize), hooks, steps);
      hooks.onStep?.(progressOf(state, batches, steps));
    }
    state = await finishEpoch(context, state, hooks, steps);
  }
  return { state, outcome: 'finished' };
}
