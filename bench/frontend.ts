/**
 * Front-end speed on the largest example (resnet50.seg, which imports std/backbones.seg):
 * parse alone, parse + name resolution (load with imports + static checks), and the whole check
 * (elaboration to IR with shape checking), after warm-up; medians in ms. The peer is TypeScript's
 * own parser (`ts.createSourceFile`) on the same number of characters of this project's
 * TypeScript, measured in the same run, so the ratio says how our parser compares with a mature
 * production one. Target (issue: front end): parse + resolve well under 50 ms.
 *
 *   npx tsx bench/frontend.ts
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { CHECKS, runChecks } from '../src/check/index.js';
import { compile } from '../src/compiler/compile.js';
import { loadProgram } from '../src/program/modules.js';
import { nodeHost } from '../src/compiler/node-host.js';
import { parse } from '../src/parser/index.js';

const FILE = 'examples/resnet50.seg';
const host = nodeHost();
const sources = [FILE, 'std/backbones.seg'].map((f) => readFileSync(f, 'utf8'));
const characters = sources.reduce((n, s) => n + s.length, 0);
const typescript = readFileSync('src/ir/evaluate.ts', 'utf8').repeat(3).slice(0, characters);

function median(run: () => void, warmUp = 20, runs = 100): number {
  for (let i = 0; i < warmUp; i++) run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const rows: [string, number][] = [
  ['parse (both files)', median(() => sources.forEach((s, i) => parse(s, `f${i}.seg`)))],
  [
    'TypeScript parser, same characters (peer)',
    median(() => ts.createSourceFile('peer.ts', typescript, ts.ScriptTarget.ES2022, true)),
  ],
  ['parse + resolve (imports, static checks)', median(() => runChecks(loadProgram(FILE, host), CHECKS))],
  ['whole check (elaborate, shapes, passes)', median(() => compile(FILE, host), 5, 20)],
];
console.log(`${FILE} + std/backbones.seg: ${characters} characters`);
for (const [name, ms] of rows) console.log(`${name.padEnd(44)} ${ms.toFixed(2).padStart(8)} ms`);
console.log(`ratio parse / TypeScript parser: ${(rows[0]![1] / rows[1]![1]).toFixed(2)}`);
console.log(`parse + resolve: ${rows[2]![1].toFixed(2)} ms (target: well under 50 ms)`);
