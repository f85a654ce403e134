/**
 * The GPU kit's bench, bundled by `build-kit.ts` into `bench.mjs` and run by `run.sh`:
 *
 *   node bench.mjs measure --backend webgpu|wasm|cpu --plan full|tiny --root DIR --out FILE
 *                          [--budget SECONDS] [--min-reps 3] [--max-reps 7]
 *   node bench.mjs report --in DIR --out FILE
 *
 * From the repository, without building the kit: `npx tsx bench/gpu/main.ts measure ... --root .`
 */
import { parseArgs } from 'node:util';
import type { BackendName } from '../../src/index.js';
import { measure } from './measure.js';
import type { PlanName } from './plan.js';
import { formatReport, writeReport } from './report.js';

const USAGE =
  'usage: bench.mjs measure --backend webgpu|wasm|cpu --plan full|tiny --root DIR --out FILE [--budget S] [--min-reps N] [--max-reps N]\n       bench.mjs report --in DIR --out FILE';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function positive(text: string | undefined, fallback: number, name: string): number {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value <= 0) fail(`--${name} must be a positive number, got \`${text}\``);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      backend: { type: 'string' },
      plan: { type: 'string', default: 'full' },
      root: { type: 'string' },
      out: { type: 'string' },
      budget: { type: 'string' },
      'min-reps': { type: 'string' },
      'max-reps': { type: 'string' },
      in: { type: 'string' },
    },
  });
  if (command === 'report') {
    if (!values.in || !values.out) fail('report needs --in and --out');
    process.stdout.write(`${formatReport(writeReport(values.in, values.out))}\n`);
    return;
  }
  if (command !== 'measure') fail(`unknown command \`${command ?? ''}\``);
  if (!['webgpu', 'wasm', 'cpu'].includes(values.backend ?? '')) fail('--backend must be webgpu, wasm or cpu');
  if (!['full', 'tiny'].includes(values.plan!)) fail('--plan must be full or tiny');
  if (!values.root || !values.out) fail('measure needs --root and --out');
  const report = await measure({
    backend: values.backend as BackendName,
    plan: values.plan as PlanName,
    root: values.root,
    out: values.out,
    budgetSeconds: positive(values.budget, 120, 'budget'),
    minReps: positive(values['min-reps'], 3, 'min-reps'),
    maxReps: positive(values['max-reps'], 7, 'max-reps'),
  });
  if (report.unavailable) {
    process.stderr.write(`${report.backend}: unavailable: ${report.unavailable}\n`);
    process.exit(1);
  }
  const done = report.cells.filter((c) => c.status === 'ok').length;
  process.stdout.write(
    `${report.backend}: ${done} of ${report.cells.length} cells measured${report.adapter ? ` on ${report.adapter.name}${report.adapter.software ? ' (software)' : ''}` : ''}\n`,
  );
}

main(process.argv.slice(2)).then(
  // Dawn keeps the event loop alive after the device is done; the results are written.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(3);
  },
);
