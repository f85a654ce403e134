/**
 * Front-end fuzzing: mutated examples and std files, and generated deep, long and numerically
 * hostile programs, through `segc check`, `segc fmt` and (for small ones) `segc summary` in-process. A fixed seed and case count;
 * each case must end with exit 0 or 1 (never 3, an internal error), print no stack trace, and
 * finish within the per-case bound.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchFolder, segc } from '../hostile/harness.js';
import { CASE_TIME_BOUND_MS, caseCount, longText, mutateText, randomFor } from './fuzz.js';

const work = scratchFolder('fuzz-front');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CORPUS = ['examples', 'std'].flatMap((folder) =>
  readdirSync(folder)
    .filter((name) => name.endsWith('.seg'))
    .map((name) => readFileSync(join(folder, name), 'utf8')),
);

/** Smaller files are picked more often: big models make slow cases when a mutation keeps them valid. */
function pickSource(random: ReturnType<typeof randomFor>): string {
  const small = CORPUS.filter((text) => text.length < 3000);
  return random.chance(0.8) && small.length > 0 ? random.pick(small) : random.pick(CORPUS);
}

function generated(random: ReturnType<typeof randomFor>): string {
  const body = random.pick([
    () => `x -> conv(${longText(random)}, 3)`,
    () => `x${' -> relu'.repeat(random.integer(1, 3000))}`,
    () =>
      `x -> conv(${random.pick(['9007199254740993', '1e400', '2147483648', '100000000', '0', '-1'])}, 3, stride: ${random.pick(['1', '2147483648', '1048577', '100000000'])})`,
    () => `x -> ${longText(random)}`,
  ])();
  const dims = random.pick([
    'N, H, W, 3',
    'N, 99999999999999999999, 8, 3',
    'N, 1048577, 8, 3',
    'N, 0, 8, 3',
    'N, H, W, 100000000',
  ]);
  return `model M() {\n  input x: f32[${dims}]\n  output y = ${body}\n}\n`;
}

async function runCase(source: string, index: number): Promise<void> {
  const file = join(work, `case-${index}.seg`);
  writeFileSync(file, source);
  const started = performance.now();
  const commands = [
    ['check', file],
    ['fmt', file],
  ];
  // a small program that checks is also summarised: sizes, FLOPs and receptive fields of odd graphs
  if (source.length < 3000) commands.push(['summary', file]);
  for (const argv of commands) {
    const result = await segc(...argv);
    expect.soft(result.code, `${argv[0]} of case ${index}: ${result.err.slice(0, 400)}`).toBeLessThan(2);
    expect.soft(result.err, `case ${index}`).not.toMatch(/internal error|\n\s+at /);
    expect.soft(result.out, `${argv[0]} of case ${index}`).not.toMatch(/Infinity|NaN|∞/);
  }
  expect(performance.now() - started, `case ${index} took too long`).toBeLessThan(CASE_TIME_BOUND_MS);
}

describe('front-end fuzzing', () => {
  const MUTATED = caseCount(200);
  const GENERATED = caseCount(60);

  it(`${MUTATED} mutated examples and std files end with exit 0 or 1`, async () => {
    const random = randomFor('front-end/mutated');
    for (let index = 0; index < MUTATED; index++) {
      let source = pickSource(random);
      for (let edits = random.integer(1, 6); edits > 0; edits--) source = mutateText(source, random);
      await runCase(source, index);
    }
  }, 600_000);

  it(`${GENERATED} generated deep, long and numerically hostile programs end with exit 0 or 1`, async () => {
    const random = randomFor('front-end/generated');
    for (let index = 0; index < GENERATED; index++) await runCase(generated(random), MUTATED + index);
  }, 600_000);
});
