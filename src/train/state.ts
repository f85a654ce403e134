/**
 * Everything a training run needs to continue exactly where it stopped, apart from tensors:
 * the configuration, the position (epoch, batch within the epoch, optimizer step), the running
 * sums of the current epoch, and the history of finished epochs. Shuffling and augmentation are
 * functions of (seed, epoch, sample), dropout of (seed, step), so the position is the whole
 * random state. Stored as train-state.json beside the checkpoint's weights.
 */
import type { LossOptions } from './losses.js';
import type { OptimizerOptions } from './optimizer.js';
import type { BoxMaskMode } from './weak.js';
import type { ScheduleName } from './schedule.js';
import type { TaskKind } from './task.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export const TRAIN_STATE_FORMAT = 'segc-train-state';
export const TRAIN_STATE_VERSION = 1;

export interface TrainConfig {
  readonly model: string;
  readonly task: TaskKind;
  readonly multiLabel: boolean;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly schedule: ScheduleName;
  readonly weightDecay: number;
  readonly optimizer: OptimizerOptions;
  readonly seed: number;
  /** Random horizontal flips. */
  readonly flip: boolean;
  /**
   * Random scale (a factor drawn from [low, high]) then a random crop back to the model's input
   * size; absent for none. Checkpoints written before the option existed have none.
   */
  readonly scaleCrop?: readonly [number, number];
  /** The loss for noisy labels (cross-entropy with label smoothing, GCE, SCE); absent: plain cross-entropy. */
  readonly loss?: LossOptions;
  /** Incomplete supervision: the share of images that keep their masks (the others train by image-level labels). */
  readonly maskShare?: number;
  /** The weight of the image-level loss on images without a mask; default 1. */
  readonly imageLabelWeight?: number;
  /** Inexact supervision: masks made from the boxes. */
  readonly boxMasks?: BoxMaskMode;
  /** Side fraction of `inner` box masks; default 0.5. */
  readonly boxInner?: number;
  /** Inaccurate supervision: the share of images whose labels (class, label set or mask classes) are made wrong. */
  readonly labelNoise?: number;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  /** Pixel accuracy (segmentation), top-1 (classification) or per-label accuracy (multi-label), on the training batches. */
  readonly accuracy: number;
  readonly learningRate: number;
  readonly images: number;
  readonly seconds: number;
  /** Validation scores (mIoU, pixel accuracy, top-1), when a validation set was given. */
  readonly validation?: Readonly<Record<string, number | null>>;
}

export interface RunningSums {
  readonly lossSum: number;
  readonly batches: number;
  readonly correct: number;
  readonly counted: number;
  readonly images: number;
  readonly seconds: number;
}

export interface TrainState {
  readonly format: typeof TRAIN_STATE_FORMAT;
  readonly version: typeof TRAIN_STATE_VERSION;
  readonly config: TrainConfig;
  /** The epoch in progress (0-based); equals `config.epochs` when training is finished. */
  readonly epoch: number;
  /** Batches of `epoch` already trained on. */
  readonly batchInEpoch: number;
  /** Optimizer updates so far. */
  readonly step: number;
  readonly running: RunningSums;
  readonly history: readonly EpochRecord[];
}

export const EMPTY_SUMS: RunningSums = { lossSum: 0, batches: 0, correct: 0, counted: 0, images: 0, seconds: 0 };

export function initialState(config: TrainConfig): TrainState {
  return {
    format: TRAIN_STATE_FORMAT,
    version: TRAIN_STATE_VERSION,
    config,
    epoch: 0,
    batchInEpoch: 0,
    step: 0,
    running: EMPTY_SUMS,
    history: [],
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the fields a resumed run relies on; `file` names the source in the diagnostic. */
export function parseTrainState(value: unknown, file: string): TrainState {
  const fail = (why: string): never => {
    throw diagnosticError(codes.badCheckpoint, `${file} is not a usable training state: ${why}`, {
      hint: 'start a new run without --resume, or point --out at the run to continue',
    });
  };
  if (!isRecord(value) || value.format !== TRAIN_STATE_FORMAT)
    return fail(`its "format" is not "${TRAIN_STATE_FORMAT}"`);
  if (value.version !== TRAIN_STATE_VERSION)
    return fail(`version ${String(value.version)} is not ${TRAIN_STATE_VERSION}`);
  for (const key of ['epoch', 'batchInEpoch', 'step']) {
    if (!Number.isInteger(value[key]) || (value[key] as number) < 0) fail(`"${key}" must be a non-negative integer`);
  }
  if (!isRecord(value.config) || !isRecord(value.running) || !Array.isArray(value.history))
    return fail('"config", "running" or "history" is missing');
  const config = value.config;
  if (
    typeof config.model !== 'string' ||
    !Number.isInteger(config.batchSize) ||
    !Number.isInteger(config.epochs) ||
    !Number.isInteger(config.seed)
  ) {
    return fail('its "config" lacks the model, batch size, epochs or seed');
  }
  return value as unknown as TrainState;
}
