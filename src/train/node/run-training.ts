/**
 * `segc train` in Node: opens the data, builds or restores the model and optimizer, runs the
 * loop with a progress display, writes a checkpoint and the training curve after every epoch,
 * and on SIGINT lets the step in progress finish, saves, and reports the stop (the CLI exits
 * with 130). A second SIGINT leaves at once.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BadFilePolicy, Dataset } from '../../data/dataset.js';
import { openDataset } from '../../data/node/dataset.js';
import type { DataProblem } from '../../data/sample.js';
import type { Graph } from '../../ir/graph.js';
import type { SizeSpace } from '../../shapes/sizes.js';
import { SegModel, weightDeclarations } from '../../runtime/model.js';
import { ensureOutputFolder, writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import { evaluateDataset, headlineScores } from '../evaluate.js';
import { trainingCurveSvg } from '../curve-svg.js';
import { shownPath } from '../svg-text.js';
import { trainLoop, type LoopOutcome } from '../loop.js';
import { Optimizer } from '../optimizer.js';
import { epochLine, ProgressDisplay, type ProgressWriter } from '../progress.js';
import { initialState, type TrainConfig, type TrainState } from '../state.js';
import { inferTask, inputSpec, type InputSpec, type Task } from '../task.js';
import { loadCheckpointWeights, readTrainState, saveCheckpoint } from './checkpoint.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError } from '../../diagnostics/error.js';

export const CURVE_FILE = 'training-curve.svg';

export interface TrainingRequest {
  readonly graph: Graph;
  readonly sizes: SizeSpace;
  readonly dataDir: string;
  readonly valDir?: string;
  readonly outDir: string;
  /** Ignored on resume, except `epochs`, which may extend a finished run. */
  readonly config: TrainConfig;
  readonly resume: boolean;
  readonly onBadFile: BadFilePolicy;
  readonly progress: ProgressWriter;
  /** Lines every this many seconds when not on a terminal. */
  readonly progressInterval?: number;
  /** Replaces the process's SIGINT handling (tests). */
  readonly stopSignal?: () => boolean;
}

export interface TrainingResult {
  readonly outcome: LoopOutcome;
  readonly state: TrainState;
  readonly problems: readonly DataProblem[];
}

function checkDataFitsTask(task: Task, classes: number, dataDir: string, layout: string): void {
  if (task.kind === 'segmentation' && layout !== 'segmentation') {
    throw diagnosticError(
      codes.dataDoesNotFitTask,
      `a segmentation model needs images/ and masks/, but ${dataDir} holds class folders`,
      { hint: 'train on a segmentation data set, e.g. one made by `segc data shapes`' },
    );
  }
  if (classes !== task.classes) {
    throw diagnosticError(
      codes.classCountMismatch,
      `the model predicts ${task.classes} classes but ${dataDir} has ${classes}`,
      { hint: `compile the model for ${classes} classes, e.g. --param classes=${classes}` },
    );
  }
}

async function restore(request: TrainingRequest, model: SegModel, optimizer: Optimizer): Promise<TrainState> {
  const saved = await readTrainState(request.outDir);
  if (saved.config.model !== request.graph.model) {
    throw diagnosticError(
      codes.badCheckpoint,
      `the checkpoint in ${request.outDir} belongs to \`${saved.config.model}\`, not \`${request.graph.model}\``,
      { hint: 'resume with the model it was trained with' },
    );
  }
  const expected = weightDeclarations(request.graph).map((d) => ({
    name: d.name,
    shape: d.shape,
    dtype: d.dtype,
    declaredAt: d.declaredAt,
  }));
  const weights = await loadCheckpointWeights(request.outDir, 'weights', expected);
  const slots = [...optimizer.state()].map(([name, slot]) => ({ name, shape: slot.shape, dtype: 'float32' as const }));
  const state = await loadCheckpointWeights(request.outDir, 'optimizer', slots);
  for (const [name, tensor] of weights) model.weights.get(name)!.assign(tensor);
  optimizer.restore(state, saved.step);
  tf.dispose([...weights.values(), ...state.values()]);
  return { ...saved, config: { ...saved.config, epochs: Math.max(saved.config.epochs, request.config.epochs) } };
}

/**
 * Scores on the validation set, through a model built afresh on the current weights: a model's
 * inference graph keeps the batch-norm-folded weights it prepared on first use, which would
 * otherwise be those of the first validation.
 */
async function validate(
  current: SegModel,
  dataset: Dataset,
  task: Task,
  input: InputSpec,
  multiLabel: boolean,
): Promise<Record<string, number | null>> {
  const fresh = SegModel.fromTensors(current.graph, current.sizes, current.weights);
  try {
    return headlineScores(await evaluateDataset(fresh, dataset, task, input, { multiLabel }));
  } finally {
    fresh.dispose();
  }
}

function stopOnInterrupt(): { stopRequested: () => boolean; release: () => void } {
  let requested = false;
  const handler = () => {
    if (requested) process.exit(130);
    requested = true;
  };
  process.on('SIGINT', handler);
  return { stopRequested: () => requested, release: () => process.off('SIGINT', handler) };
}

export async function runTraining(request: TrainingRequest): Promise<TrainingResult> {
  const task = inferTask(request.graph);
  const input = inputSpec(request.graph);
  const dataset = await openDataset(request.dataDir, { onBadFile: request.onBadFile });
  checkDataFitsTask(
    task,
    task.kind === 'segmentation' ? dataset.maskClasses.length : dataset.classes.length,
    request.dataDir,
    dataset.layout,
  );
  const validation = request.valDir ? await openDataset(request.valDir, { onBadFile: request.onBadFile }) : undefined;
  await ensureOutputFolder(request.outDir);
  const model = SegModel.random(request.graph, request.sizes, request.config.seed);
  const optimizer = new Optimizer(
    request.config.optimizer,
    new Map(
      weightDeclarations(request.graph)
        .filter((d) => d.train)
        .map((d) => [d.name, model.weights.get(d.name)!]),
    ),
  );
  const display = new ProgressDisplay(
    request.progress,
    task.kind === 'segmentation' ? 'pixel acc' : 'acc',
    request.progressInterval ?? 30,
  );
  const signal = request.stopSignal
    ? { stopRequested: request.stopSignal, release: () => undefined }
    : stopOnInterrupt();
  try {
    const start = request.resume
      ? await restore(request, model, optimizer)
      : initialState({ ...request.config, model: request.graph.model, task: task.kind });
    if (request.resume)
      display.line(
        `resuming ${request.outDir} at epoch ${start.epoch + 1}, batch ${start.batchInEpoch + 1} (step ${start.step})`,
      );
    let sessionSteps = 0;
    const sessionStart = performance.now() / 1000;
    const { state, outcome } = await trainLoop(
      { model, task, input, optimizer, dataset, skipBadFiles: request.onBadFile === 'skip' },
      start,
      {
        onStep: (progress) => {
          sessionSteps += 1;
          display.step(progress, (performance.now() / 1000 - sessionStart) / sessionSteps);
        },
        onEpoch: (record, current) =>
          display.line(epochLine(record, current.config.epochs, task.kind === 'segmentation' ? 'pixel acc' : 'acc')),
        onProblem: (problem) => display.line(`skipped ${problem.file}: ${problem.message}`),
        ...(validation
          ? { validate: (current: SegModel) => validate(current, validation, task, input, request.config.multiLabel) }
          : {}),
        checkpoint: async (current) => {
          await saveCheckpoint(request.outDir, {
            weights: model.weightTensors(),
            optimizer: optimizer.state(),
            state: current,
          });
          await writeFileAtomic(
            join(request.outDir, CURVE_FILE),
            trainingCurveSvg(current.history, `${request.graph.model} on ${shownPath(request.dataDir, process.cwd())}`),
          );
        },
        shouldStop: signal.stopRequested,
      },
    );
    display.line(
      outcome === 'stopped'
        ? `interrupted: saved the checkpoint at epoch ${state.epoch + 1}, batch ${state.batchInEpoch} in ${request.outDir}; continue with --resume`
        : `finished: ${state.step} steps; weights in ${join(request.outDir, 'checkpoint', 'weights')}`,
    );
    return { outcome, state, problems: dataset.problems };
  } finally {
    signal.release();
    optimizer.dispose();
    model.dispose();
  }
}
