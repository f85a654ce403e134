/**
 * Parser throughput: parses the largest `.seg` file of examples/ and std/ 200 times after a
 * warm-up and prints the median time. `npx tsx bench/parse.ts`
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '../src/parser/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const WARM_UP = 50;
const RUNS = 200;

function segFiles(folder: string): string[] {
  try {
    return readdirSync(join(root, folder))
      .filter((name) => name.endsWith('.seg'))
      .map((name) => join(root, folder, name));
  } catch {
    return [];
  }
}

const files = [...segFiles('examples'), ...segFiles('std')].sort((a, b) => statSync(b).size - statSync(a).size);
const largest = files[0];
if (largest === undefined) throw new Error('no .seg files in examples/ or std/');
const source = readFileSync(largest, 'utf8');
const file = largest.slice(root.length + 1);

for (let run = 0; run < WARM_UP; run++) parse(source, file);
const times: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const start = performance.now();
  parse(source, file);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(RUNS / 2)]!;
const lines = source.split('\n').length;
console.log(`${file}: ${lines} lines, ${source.length} characters`);
console.log(`median parse time over ${RUNS} runs: ${median.toFixed(3)} ms (fastest ${times[0]!.toFixed(3)} ms)`);
