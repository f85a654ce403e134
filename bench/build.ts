/**
 * `segc build` speed on the largest example (deeplabv3plus.seg: a ResNet-50 backbone, ASPP and
 * the decoder, about 120 layers after folding): compile + generate + write, after warm-up, as
 * a median in ms, with the ratio to plain `segc check` of the same file measured in the same
 * run (the front end both share), and the generation step alone. Target (issue: code
 * generation): `segc build` of the largest example well under 2 s.
 *
 *   npx tsx bench/build.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const { main } = await import('../src/cli/main.js');
const { generateModule } = await import('../src/codegen/index.js');
const { compile } = await import('../src/compiler/compile.js');
const { nodeHost } = await import('../src/compiler/node-host.js');

const FILE = 'examples/deeplabv3plus.seg';
const output = mkdtempSync(join(tmpdir(), 'segc-bench-build-'));
const silent = { out: () => {}, err: (text: string) => process.stderr.write(text) };

async function median(run: () => unknown, warmUp = 3, runs = 11): Promise<number> {
  for (let i = 0; i < warmUp; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

try {
  const check = await median(() => main(['check', FILE], silent));
  const build = await median(() => main(['build', FILE, '-o', output], silent));
  const model = compile(FILE, nodeHost()).models[0]!;
  const generate = await median(() =>
    generateModule({ graph: model.graph!, sizes: model.sizes, declaration: model.declaration }, FILE),
  );
  const rows: [string, string][] = [
    ['segc check (peer)', `${check.toFixed(1)} ms`],
    ['segc build (compile + generate + write)', `${build.toFixed(1)} ms`],
    ['  of which generating the module', `${generate.toFixed(1)} ms`],
    ['build / check', `${(build / check).toFixed(2)}×`],
  ];
  console.log(`${FILE}, medians of 11 runs after 3 warm-up runs`);
  for (const [label, value] of rows) console.log(`${label.padEnd(42)} ${value}`);
} finally {
  rmSync(output, { recursive: true, force: true });
}
