/**
 * Interleaved, time-boxed repetitions. A GPU machine gives about ten minutes, and the slowest
 * cells on the cpu backend would take longer than that on their own, so every cell is admitted
 * only if its predicted cost fits what is left:
 *
 * 1. First runs, cheapest cell first. The first run of a cell includes WebGPU pipeline
 *    compilation, wasm warm-up, weight uploads and folding, so it is reported apart; a second
 *    run right after it is the cell's first steady sample and calibrates the time per unit of
 *    work of the cell's kind, from which the next cell's steady time is predicted. A cell is skipped, with the
 *    prediction as the reason, when its first run (taken as twice a steady one) and `minReps`
 *    steady runs would not fit the budget left after what the admitted cells still need.
 * 2. Rounds: each round runs every admitted cell once, in order, so that drift (clocks,
 *    temperature, other load) spreads over all cells instead of biasing one. Rounds continue
 *    until `maxReps`, or until the next round would not fit.
 *
 * A cell that throws (out of memory, a missing kernel) is reported as failed with the message
 * and leaves the others running.
 */
export interface Cell {
  readonly id: string;
  /** Relative cost, e.g. FLOPs × batch; only ratios between cells of one kind matter. */
  readonly work: number;
  /** Cells of one kind (e.g. forward, Grad-CAM) share a time per unit of work. */
  readonly kind?: string;
  /** One complete run, awaited until the results are on the host. */
  run(): Promise<void>;
}

export interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max − min) / median over the steady repetitions. */
  readonly spread: number;
  readonly reps: number;
  readonly samples: readonly number[];
}

export type CellResult =
  | { readonly id: string; readonly status: 'ok'; readonly firstMs: number; readonly steady?: Timing }
  | { readonly id: string; readonly status: 'skipped'; readonly reason: string }
  | { readonly id: string; readonly status: 'failed'; readonly reason: string; readonly firstMs?: number };

export interface ScheduleOptions {
  readonly budgetMs: number;
  readonly minReps: number;
  readonly maxReps: number;
  /** Milliseconds from any fixed origin (performance.now in practice; a fake clock in tests). */
  readonly now: () => number;
  /** Called after every run, so a caller can save partial results. */
  readonly progress?: (results: readonly CellResult[]) => void | Promise<void>;
}

export function timing(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  return {
    median,
    min,
    max,
    spread: median > 0 ? (max - min) / median : 0,
    reps: samples.length,
    samples: [...samples],
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Cost of a first run in steady runs, for admission only (WebGPU compiles every pipeline in it). */
const FIRST_RUN_FACTOR = 2;

async function timed(cell: Cell, now: () => number): Promise<number> {
  const start = now();
  await cell.run();
  return now() - start;
}

interface Admitted {
  readonly index: number;
  readonly firstMs: number;
  readonly samples: number[];
}

export async function schedule(cells: readonly Cell[], options: ScheduleOptions): Promise<CellResult[]> {
  const { budgetMs, minReps, now } = options;
  const start = now();
  const left = () => budgetMs - (now() - start);
  const results: CellResult[] = cells.map((cell) => ({ id: cell.id, status: 'skipped', reason: 'not reached' }));
  const admitted: Admitted[] = [];
  const order = cells.map((_, index) => index).sort((a, b) => cells[a]!.work - cells[b]!.work);
  // Time per unit of work, by kind; a kind not measured yet borrows the slowest one measured.
  const msPerWork = new Map<string, number>();
  const rate = (cell: Cell) =>
    msPerWork.get(cell.kind ?? '') ?? (msPerWork.size ? Math.max(...msPerWork.values()) : undefined);
  let committed = 0;
  for (const index of order) {
    const cell = cells[index]!;
    const perWork = rate(cell);
    const predicted = perWork === undefined ? undefined : perWork * cell.work;
    if (predicted !== undefined && predicted * (FIRST_RUN_FACTOR + minReps) > left() - committed) {
      const needed = `${seconds(predicted)} per steady run, ${FIRST_RUN_FACTOR + minReps} runs' worth`;
      results[index] = {
        id: cell.id,
        status: 'skipped',
        reason: `predicted ${needed}; ${seconds(Math.max(0, left() - committed))} of the budget left`,
      };
      continue;
    }
    try {
      const firstMs = await timed(cell, now);
      const steadyMs = await timed(cell, now);
      msPerWork.set(cell.kind ?? '', steadyMs / cell.work);
      committed += steadyMs * Math.max(0, minReps - 1);
      admitted.push({ index, firstMs, samples: [steadyMs] });
      results[index] = { id: cell.id, status: 'ok', firstMs, steady: timing([steadyMs]) };
    } catch (error) {
      results[index] = { id: cell.id, status: 'failed', reason: (error as Error).message ?? String(error) };
    }
    await options.progress?.(results);
  }
  await rounds(cells, admitted, results, options, left);
  return results;
}

async function rounds(
  cells: readonly Cell[],
  admitted: Admitted[],
  results: CellResult[],
  options: ScheduleOptions,
  left: () => number,
): Promise<void> {
  for (;;) {
    const alive = admitted.filter((a) => results[a.index]!.status === 'ok' && a.samples.length < options.maxReps);
    const estimate = alive.reduce((sum, a) => sum + a.samples.at(-1)!, 0);
    if (alive.length === 0 || estimate > left()) return;
    for (const a of alive) {
      const cell = cells[a.index]!;
      try {
        a.samples.push(await timed(cell, options.now));
        results[a.index] = { id: cell.id, status: 'ok', firstMs: a.firstMs, steady: timing(a.samples) };
      } catch (error) {
        results[a.index] = {
          id: cell.id,
          status: 'failed',
          firstMs: a.firstMs,
          reason: (error as Error).message ?? String(error),
        };
      }
      await options.progress?.(results);
    }
  }
}
