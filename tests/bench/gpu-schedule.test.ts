import { describe, expect, it } from 'vitest';
import { type Cell, schedule, timing } from '../../bench/gpu/schedule.js';

/** Cells that advance a fake clock: `first` ms on their first run, `steady` ms after. */
function fakeCells(
  specs: readonly { id: string; work: number; first: number; steady: number; kind?: string; fails?: boolean }[],
) {
  let clock = 0;
  const order: string[] = [];
  const cells: Cell[] = specs.map((spec) => {
    let runs = 0;
    return {
      id: spec.id,
      work: spec.work,
      ...(spec.kind ? { kind: spec.kind } : {}),
      async run() {
        order.push(spec.id);
        if (spec.fails) throw new Error(`${spec.id}: out of memory`);
        clock += runs++ === 0 ? spec.first : spec.steady;
      },
    };
  });
  return { cells, order, now: () => clock };
}

describe('timing', () => {
  it('takes the median, the range and the spread relative to the median', () => {
    expect(timing([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, spread: 1, reps: 3, samples: [30, 10, 20] });
    expect(timing([4, 1, 2, 3]).median).toBe(2.5);
  });
});

describe('schedule', () => {
  it('reports the first run apart and interleaves the steady runs round by round', async () => {
    const { cells, order, now } = fakeCells([
      { id: 'big', work: 2, first: 50, steady: 20 },
      { id: 'small', work: 1, first: 30, steady: 10 },
    ]);
    const results = await schedule(cells, { budgetMs: 10_000, minReps: 3, maxReps: 3, now });
    // Cheapest first, each followed by its calibrating run; then rounds in that order.
    expect(order).toEqual(['small', 'small', 'big', 'big', 'small', 'big', 'small', 'big']);
    expect(results).toEqual([
      { id: 'big', status: 'ok', firstMs: 50, steady: timing([20, 20, 20]) },
      { id: 'small', status: 'ok', firstMs: 30, steady: timing([10, 10, 10]) },
    ]);
  });

  it('skips a cell whose predicted runs do not fit the budget, and says why', async () => {
    // 10 ms per unit of work; the second cell would need 100 ms per run × (2 + 3) runs.
    const { cells, order, now } = fakeCells([
      { id: 'small', work: 1, first: 20, steady: 10 },
      { id: 'huge', work: 10, first: 200, steady: 100 },
    ]);
    const results = await schedule(cells, { budgetMs: 400, minReps: 3, maxReps: 3, now });
    expect(order).not.toContain('huge');
    expect(results[1]).toEqual({
      id: 'huge',
      status: 'skipped',
      reason: "predicted 0.1 s per steady run, 5 runs' worth; 0.3 s of the budget left",
    });
    expect(results[0]).toMatchObject({ status: 'ok', steady: { reps: 3 } });
  });

  it('predicts each kind of cell from its own kind', async () => {
    // Grad-CAM costs 5× a forward run per unit of work; judged by the Grad-CAM rate (the last one
    // measured), the big forward cell would need 2 s × 3 runs and be skipped.
    const { cells, now } = fakeCells([
      { id: 'forward', work: 1, first: 10, steady: 10, kind: 'forward' },
      { id: 'gradcam', work: 2, first: 100, steady: 100, kind: 'gradcam' },
      { id: 'forward big', work: 40, first: 400, steady: 400, kind: 'forward' },
    ]);
    const results = await schedule(cells, { budgetMs: 3_000, minReps: 1, maxReps: 1, now });
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('stops adding rounds when the next one would not fit', async () => {
    const { cells, now } = fakeCells([{ id: 'a', work: 1, first: 10, steady: 10 }]);
    const results = await schedule(cells, { budgetMs: 45, minReps: 1, maxReps: 10, now });
    // first 10 + calibrating 10 + two rounds of 10 = 40; a third round would end at 50.
    expect(results[0]).toMatchObject({ status: 'ok', firstMs: 10, steady: { reps: 3 } });
  });

  it('reports a failing cell and measures the others', async () => {
    const { cells, now } = fakeCells([
      { id: 'fails', work: 1, first: 10, steady: 10, fails: true },
      { id: 'works', work: 2, first: 10, steady: 10 },
    ]);
    const results = await schedule(cells, { budgetMs: 1_000, minReps: 2, maxReps: 2, now });
    expect(results[0]).toEqual({ id: 'fails', status: 'failed', reason: 'fails: out of memory' });
    expect(results[1]).toMatchObject({ status: 'ok', steady: { reps: 2 } });
  });
});
