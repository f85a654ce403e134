/**
 * Start-up time of the built `segc` command against a bare `node -e 0`, measured in one
 * interleaved run (each round starts every command once, in turn, so load on the machine hits
 * them alike): `segc --help`, `segc check` on the largest example (most IR nodes) and `segc run`
 * of the small DeepLabv3+ on one bundled image. Prints medians and ratios to bare Node.
 * Targets: `--help` within 2×, `check` within 4×.
 *
 * On Linux it also prints the mean CPU time (user + system) of each command, read from the
 * children's times in /proc/self/stat. On a machine that other work shares, wall times stretch
 * with the load (bare Node's most of all, which shrinks every ratio), while CPU time stays close
 * to what the command costs.
 *
 *   npm run build && npx tsx bench/startup.ts [ROUNDS]     (default 7 rounds)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 7);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`ROUNDS must be a positive integer, got ${process.argv[2]}`);
if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');

const segc = join(root, 'bin', 'segc.js');
const out = mkdtempSync(join(tmpdir(), 'segc-startup-'));

/** CPU seconds used by the children this process has waited for; undefined where /proc is absent. */
function childrenCpuSeconds(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name; cutime and cstime are fields 16 and 17, in USER_HZ (100) ticks.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function exec(args: readonly string[]): { seconds: number; cpu: number | undefined; stdout: string } {
  const cpuBefore = childrenCpuSeconds();
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = childrenCpuSeconds();
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}:\n${result.stderr}`);
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { seconds, cpu, stdout: result.stdout };
}

/** The example whose first model has the most IR nodes, as `segc check --json` reports them. */
function largestExample(): { file: string; nodes: number } {
  const files = readdirSync(join(root, 'examples'))
    .filter((f) => f.endsWith('.seg'))
    .map((f) => `examples/${f}`);
  const report = JSON.parse(exec([segc, 'check', '--json', ...files]).stdout) as {
    files: { file: string; models: { nodes: number }[] }[];
  };
  const sized = report.files.map((f) => ({ file: f.file, nodes: Math.max(0, ...f.models.map((m) => m.nodes)) }));
  return sized.sort((a, b) => b.nodes - a.nodes)[0]!;
}

const largest = largestExample();
const weights = existsSync(join(root, 'weights/deeplabv3plus_small/model.json'))
  ? ['--weights', 'weights/deeplabv3plus_small']
  : [];
const cases: { label: string; args: string[] }[] = [
  { label: 'node -e 0', args: ['-e', '0'] },
  { label: 'segc --help', args: [segc, '--help'] },
  { label: `segc check ${largest.file} (${largest.nodes} nodes)`, args: [segc, 'check', largest.file] },
  {
    label: 'segc run deeplabv3plus_small, 1 image',
    args: [
      segc,
      'run',
      'examples/deeplabv3plus_small.seg',
      ...weights,
      '--image',
      'examples/images/shapes-a.png',
      '--out',
      out,
    ],
  },
];

const times = cases.map(() => [] as number[]);
const cpuTimes = cases.map(() => [] as number[]);
exec(['-e', '0']); // warm the file cache once
for (let round = 0; round < rounds; round++) {
  cases.forEach((c, i) => {
    const { seconds, cpu } = exec(c.args);
    times[i]!.push(seconds);
    if (cpu !== undefined) cpuTimes[i]!.push(cpu);
  });
}
rmSync(out, { recursive: true, force: true });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const base = median(times[0]!);
const cpuBase = cpuTimes[0]!.length ? mean(cpuTimes[0]!) : undefined;
const targets = [undefined, 2, 4, undefined];
console.log(`start-up, median of ${rounds} interleaved rounds (node ${process.version})`);
for (const [i, c] of cases.entries()) {
  const m = median(times[i]!);
  const target = targets[i] ? `   target ≤ ${targets[i]}× ${m / base <= targets[i]! ? 'met' : 'NOT met'}` : '';
  console.log(
    `${c.label.padEnd(52)} ${(m * 1000).toFixed(0).padStart(6)} ms   ${(m / base).toFixed(2).padStart(6)}× bare node${target}`,
  );
}
if (cpuBase !== undefined) {
  console.log(`CPU time (user + system), mean of ${rounds} rounds`);
  for (const [i, c] of cases.entries()) {
    const cpu = mean(cpuTimes[i]!);
    console.log(
      `${c.label.padEnd(52)} ${(cpu * 1000).toFixed(0).padStart(6)} ms   ${(cpu / cpuBase).toFixed(2).padStart(6)}× bare node`,
    );
  }
}
