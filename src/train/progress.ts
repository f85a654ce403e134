/**
 * Progress of a training run as text: a bar redrawn in place on a terminal, plain lines at a
 * steady pace otherwise (logs, CI), and one summary line per epoch.
 */
import type { StepProgress } from './loop.js';
import type { EpochRecord } from './state.js';

const BAR_WIDTH = 24;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m`;
  return minutes > 0 ? `${minutes}m${String(rest).padStart(2, '0')}s` : `${rest}s`;
}

function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
}

/** Seconds left at the current pace, from the steps still to run. */
export function estimateRemaining(progress: StepProgress, secondsPerStep: number): number {
  return (progress.totalSteps - progress.step) * secondsPerStep;
}

export function progressLine(progress: StepProgress, metricName: string, secondsPerStep: number): string {
  const width = String(progress.batches).length;
  return [
    `epoch ${progress.epoch + 1}/${progress.epochs}`,
    bar(progress.batch / progress.batches),
    `${String(progress.batch).padStart(width)}/${progress.batches}`,
    `loss ${progress.loss.toFixed(4)}`,
    `${metricName} ${progress.accuracy.toFixed(3)}`,
    `${progress.imagesPerSecond.toFixed(1)} img/s`,
    `lr ${progress.learningRate.toPrecision(3)}`,
    `ETA ${formatDuration(estimateRemaining(progress, secondsPerStep))}`,
  ].join('  ');
}

export function epochLine(record: EpochRecord, epochs: number, metricName: string): string {
  const validation = Object.entries(record.validation ?? {}).map(
    ([key, value]) => `val ${key} ${value === null ? 'n/a' : value.toFixed(4)}`,
  );
  return [
    `epoch ${record.epoch}/${epochs} done`,
    `loss ${record.loss.toFixed(4)}`,
    `${metricName} ${record.accuracy.toFixed(4)}`,
    ...validation,
    `${record.images} images in ${formatDuration(record.seconds)}`,
  ].join('  ');
}

export interface ProgressWriter {
  write(text: string): void;
  readonly isTTY: boolean;
}

/** Redraws in place on a terminal; elsewhere writes a line every `interval` seconds. */
export class ProgressDisplay {
  private lastPlain = -Infinity;
  private drawn = false;

  constructor(
    private readonly writer: ProgressWriter,
    private readonly metricName: string,
    private readonly interval = 30,
    private readonly now: () => number = () => performance.now() / 1000,
  ) {}

  step(progress: StepProgress, secondsPerStep: number): void {
    const line = progressLine(progress, this.metricName, secondsPerStep);
    if (this.writer.isTTY) {
      this.writer.write(`\r\x1b[2K${line}`);
      this.drawn = true;
      return;
    }
    if (this.now() - this.lastPlain < this.interval) return;
    this.lastPlain = this.now();
    this.writer.write(`${line}\n`);
  }

  /** A line that stays (epoch summaries, messages). */
  line(text: string): void {
    if (this.drawn) this.writer.write('\r\x1b[2K');
    this.drawn = false;
    this.writer.write(`${text}\n`);
  }
}
