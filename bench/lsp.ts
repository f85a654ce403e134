/**
 * Editor latency of `segc lsp --stdio`, driven over stdio by a real client as an editor drives it,
 * on the largest example (most IR nodes). Each round changes the default of an int parameter (the class count) and
 * times (1) the first diagnostics (parse, names, static checks), (2) the diagnostics after the
 * models are elaborated again (shapes), and (3) hovers on every `let` once shapes are known. The
 * peer, measured in the same run and process pair, is what `segc check` does for the same file
 * from scratch: load, parse every import and `std/`, check and elaborate (in process, no start-up).
 * Prints p50 and p95 in milliseconds and the ratios to the peer. Target: (1) p50 within 50 ms.
 *
 *   npx tsx bench/lsp.ts [ROUNDS]     (default 30)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile } from '../src/compiler/compile.js';
import { nodeHost } from '../src/compiler/node-host.js';
import { startClient } from '../tests/lsp/client.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 30);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`ROUNDS must be a positive integer, got ${process.argv[2]}`);
process.chdir(root);

function largestExample(): { file: string; nodes: number } {
  const files = readdirSync('examples')
    .filter((f) => f.endsWith('.seg'))
    .map((f) => `examples/${f}`);
  const sized = files.map((file) => ({
    file,
    nodes: Math.max(0, ...compile(file, nodeHost()).models.map((m) => m.graph?.nodes.length ?? 0)),
  }));
  return sized.sort((a, b) => b.nodes - a.nodes)[0]!;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

const largest = largestExample();
const path = resolve(largest.file);
const uri = pathToFileURL(path).href;
const original = readFileSync(path, 'utf8');
const parameter = /(\w+: int = )(\d+)/.exec(original);
if (!parameter) throw new Error(`${largest.file} has no int parameter with a default to edit`);
const variant = (round: number) =>
  original.replace(parameter[0], `${parameter[1]}${Number(parameter[2]) + (round % 2)}`);
const lets = [...original.matchAll(/let (\w+) =/g)].map((m) => {
  const before = original.slice(0, m.index + 4).split('\n');
  return { line: before.length - 1, character: before.at(-1)!.length };
});

const client = await startClient(pathToFileURL(root).href);
await client.connection.sendNotification('textDocument/didOpen', {
  textDocument: { uri, languageId: 'seg', version: 0, text: original },
});
await client.nextPublish(uri);
await client.nextPublish(uri);

const checked: number[] = [];
const elaborated: number[] = [];
const hovers: number[] = [];
const peer: number[] = [];
for (let round = 1; round <= rounds + 3; round++) {
  const start = process.hrtime.bigint();
  await client.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: round },
    contentChanges: [{ text: variant(round) }],
  });
  await client.nextPublish(uri);
  const first = since(start);
  await client.nextPublish(uri);
  const second = since(start);
  const hoverTimes: number[] = [];
  for (const position of lets) {
    const asked = process.hrtime.bigint();
    await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
    hoverTimes.push(since(asked));
  }
  const cold = process.hrtime.bigint();
  compile(largest.file, nodeHost());
  const peerTime = since(cold);
  if (round <= 3) continue; // warm-up: the JIT and the first parse of std/
  checked.push(first);
  elaborated.push(second);
  hovers.push(...hoverTimes);
  peer.push(peerTime);
}
await client.stop();

const row = (name: string, values: readonly number[]) =>
  `${name.padEnd(44)} p50 ${percentile(values, 50).toFixed(1).padStart(7)} ms   p95 ${percentile(values, 95).toFixed(1).padStart(7)} ms   p50 / peer ${(percentile(values, 50) / percentile(peer, 50)).toFixed(2)}`;
console.log(`${largest.file} (${largest.nodes} IR nodes), ${rounds} edits, ${lets.length} hovers per edit`);
console.log(row('edit → diagnostics (parse, names, checks)', checked));
console.log(row('edit → diagnostics with shapes (elaborated)', elaborated));
console.log(row('hover on a let', hovers));
console.log(row('peer: segc check from scratch (in process)', peer));
console.log(`target: first diagnostics p50 ≤ 50 ms: ${percentile(checked, 50) <= 50 ? 'met' : 'missed'}`);
