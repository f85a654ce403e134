/**
 * `segc train MODEL.seg --data DIR`: trains a model on a data set (task inferred from the
 * model's first output) and writes checkpoints, the training state and the training curve to
 * `--out`. Exit code 130 after Ctrl-C, once the checkpoint is saved.
 */
import { hasErrors } from '../../compiler/compile.js';
import type { Graph } from '../../ir/graph.js';
import type { SizeSpace } from '../../shapes/sizes.js';
import { runTraining } from '../../train/node/run-training.js';
import type { LossOptions } from '../../train/losses.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../../train/optimizer.js';
import type { ScheduleName } from '../../train/schedule.js';
import type { TrainConfig } from '../../train/state.js';
import { type Parsed, UsageError } from '../args.js';
import { backendOption, startBackend } from '../backend.js';
import { compileFromArgs, requireFiles } from '../compile-file.js';
import { type Io, processIo, reportDiagnostics } from '../io.js';

('[--weight-decay D] [--momentum M] [--seed S] [--backend wasm|cpu|webgpu|auto] [--val DIR] [--resume] [--flip] [--scale-crop LOW,HIGH] [--multi-label] [--skip-bad-files] [--model NAME] [--param NAME=VALUE]...');

/** A numeric option: `integer` demands an integer; the value must be ≥ `low`. */
export function numberOption(parsed: Parsed, name: string, fallback: number, integer = false, low = 0): number {
  const text = parsed.values[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (
    typeof text !== 'string' ||
    text.trim() === '' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < low
  ) {
    throw new UsageError(`--${name} expects ${integer ? 'an integer' : 'a number'} ≥ ${low}, got \`${String(text)}\``);
  }
  return value;
}

export function requireOption(parsed: Parsed, name: string, command: string): string {
  const value = parsed.values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`${command} needs --${name}`);
  return value;
}

export function choiceOption<T extends string>(parsed: Parsed, name: string, choices: readonly T[], fallback: T): T {
  const value = parsed.values[name];
  if (value === undefined) return fallback;
  if (!choices.includes(value as T))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got \`${String(value)}\``);
  return value as T;
}

/** Compiles the one model to use; diagnostics are printed and undefined returned on errors. */
export function compileOneModel(
  file: string,
  parsed: Parsed,
  io: Io,
  command: string,
): { graph: Graph; sizes: SizeSpace } | undefined {
  const result = compileFromArgs(file, parsed);
  reportDiagnostics(io, result.diagnostics, result.sources, false);
  if (hasErrors(result.diagnostics)) return undefined;
  const compiled = result.models.filter((m) => m.graph);
  if (compiled.length !== 1)
    throw new UsageError(`${command}: ${file} declares ${compiled.length} models; choose one with --model NAME`);
  return { graph: compiled[0]!.graph!, sizes: compiled[0]!.sizes };
}

/** `--scale-crop LOW,HIGH`: the range of the random scale factor, 0 < LOW ≤ HIGH. */
function scaleCropOption(parsed: Parsed): { scaleCrop?: readonly [number, number] } {
  const text = parsed.values['scale-crop'];
  if (text === undefined) return {};
  const parts = typeof text === 'string' ? text.split(',').map((part) => part.trim()) : [];
  const [low, high] = parts.map(Number);
  if (
    parts.length !== 2 ||
    parts.some((part) => part === '') ||
    !(low! > 0 && high! >= low! && Number.isFinite(high))
  ) {
    throw new UsageError(`--scale-crop expects LOW,HIGH with 0 < LOW ≤ HIGH (e.g. 0.75,1.25), got \`${String(text)}\``);
  }
  return { scaleCrop: [low!, high!] };
}

function fractionOption(
  parsed: Parsed,
  name: string,
  low: number,
  high: number,
  openLow: boolean,
  openHigh: boolean,
): number | undefined {
  if (parsed.values[name] === undefined) return undefined;
  const value = numberOption(parsed, name, 0, false, -Infinity);
  const inside = (openLow ? value > low : value >= low) && (openHigh ? value < high : value <= high);
  if (!inside)
    throw new UsageError(
      `--${name} expects a number in ${openLow ? '(' : '['}${low}, ${high}${openHigh ? ')' : ']'}, got \`${value}\``,
    );
  return value;
}

/** --loss, --label-smoothing, --gce-q, --sce-alpha, --sce-beta: the loss for noisy labels. */
function lossOption(parsed: Parsed): { loss?: LossOptions } {
  const kind = choiceOption(parsed, 'loss', ['ce', 'gce', 'sce'] as const, 'ce');
  const smoothing = fractionOption(parsed, 'label-smoothing', 0, 1, false, true);
  const q = fractionOption(parsed, 'gce-q', 0, 1, true, false);
  const alpha = parsed.values['sce-alpha'] !== undefined ? numberOption(parsed, 'sce-alpha', 0) : undefined;
  const beta = parsed.values['sce-beta'] !== undefined ? numberOption(parsed, 'sce-beta', 0) : undefined;
  if (smoothing !== undefined && kind !== 'ce')
    throw new UsageError(`--label-smoothing applies to --loss ce, not ${kind}`);
  if (q !== undefined && kind !== 'gce') throw new UsageError('--gce-q applies to --loss gce');
  if ((alpha !== undefined || beta !== undefined) && kind !== 'sce')
    throw new UsageError('--sce-alpha and --sce-beta apply to --loss sce');
  if (parsed.values.loss === undefined && smoothing === undefined) return {};
  return {
    loss: {
      kind,
      ...(smoothing !== undefined ? { smoothing } : {}),
      ...(q !== undefined ? { q } : {}),
      ...(alpha !== undefined ? { alpha } : {}),
      ...(beta !== undefined ? { beta } : {}),
    },
  };
}

/** --mask-share, --image-label-weight, --box-masks, --box-inner (segmentation) and --label-noise: weak supervision. */
function weakOptions(parsed: Parsed): Partial<TrainConfig> {
  const maskShare = fractionOption(parsed, 'mask-share', 0, 1, false, false);
  const weight =
    parsed.values['image-label-weight'] !== undefined ? numberOption(parsed, 'image-label-weight', 1) : undefined;
  const boxMasks =
    parsed.values['box-masks'] !== undefined
      ? choiceOption(parsed, 'box-masks', ['filled', 'inner'] as const, 'filled')
      : undefined;
  const boxInner = fractionOption(parsed, 'box-inner', 0, 1, true, false);
  const labelNoise = fractionOption(parsed, 'label-noise', 0, 1, false, false);
  if (boxInner !== undefined && boxMasks !== 'inner') throw new UsageError('--box-inner applies to --box-masks inner');
  return {
    ...(maskShare !== undefined ? { maskShare } : {}),
    ...(weight !== undefined ? { imageLabelWeight: weight } : {}),
    ...(boxMasks ? { boxMasks } : {}),
    ...(boxInner !== undefined ? { boxInner } : {}),
    ...(labelNoise !== undefined && labelNoise > 0 ? { labelNoise } : {}),
  };
}

function trainConfig(parsed: Parsed, model: string): TrainConfig {
  const name: OptimizerName = choiceOption(parsed, 'optimizer', OPTIMIZER_NAMES, 'adam');
  const schedule: ScheduleName = choiceOption(parsed, 'schedule', ['poly', 'constant'] as const, 'poly');
  return {
    model,
    task: 'classification',
    multiLabel: parsed.values['multi-label'] === true,
    epochs: numberOption(parsed, 'epochs', 10, true, 1),
    batchSize: numberOption(parsed, 'batch', 16, true, 1),
    learningRate: numberOption(parsed, 'lr', name === 'adam' ? 1e-3 : 1e-2),
    schedule,
    weightDecay: numberOption(parsed, 'weight-decay', 1e-4),
    optimizer: { name, ...(name === 'sgd' ? { momentum: numberOption(parsed, 'momentum', 0.9) } : {}) },
    seed: numberOption(parsed, 'seed', 0, true, 0),
    flip: parsed.values.flip === true,
    ...scaleCropOption(parsed),
    ...lossOption(parsed),
    ...weakOptions(parsed),
  };
}

/** A bar redrawn in place on a terminal; plain lines through `io` otherwise. */
export function progressWriter(io: Io): { write: (text: string) => void; isTTY: boolean } {
  const isTTY = io === processIo && process.stderr.isTTY === true;
  return { write: isTTY ? (text) => process.stderr.write(text) : (text) => io.err(text), isTTY };
}

export async function train(parsed: Parsed, io: Io): Promise<number> {
  const [file] = requireFiles(parsed, 'train', 1);
  const dataDir = requireOption(parsed, 'data', 'train');
  const backend = backendOption(parsed.values.backend, 'wasm');
  const compiled = compileOneModel(file!, parsed, io, 'train');
  if (!compiled) return 1;
  const config = trainConfig(parsed, compiled.graph.model);
  await startBackend(backend, io);
  const result = await runTraining({
    ...compiled,
    dataDir,
    ...(typeof parsed.values.val === 'string' ? { valDir: parsed.values.val } : {}),
    outDir: typeof parsed.values.out === 'string' ? parsed.values.out : `runs/${compiled.graph.model}`,
    config,
    resume: parsed.values.resume === true,
    onBadFile: parsed.values['skip-bad-files'] === true ? 'skip' : 'stop',
    progress: progressWriter(io),
  });
  for (const problem of result.problems) io.err(`warning: skipped ${problem.file}: ${problem.message}`);
  return result.outcome === 'stopped' ? 130 : 0;
}
