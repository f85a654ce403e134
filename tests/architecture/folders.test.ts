/**
 * The folders of `src/` form a layered graph: no folder imports, even through a chain of other
 * folders, a folder that imports it. madge checks cycles between files; this checks them between
 * folders, where a file-level check cannot see them (a → b in one file, b → a in another).
 *
 * Every import counts: `import type`, re-exports and dynamic `import()`. A node is the first path
 * segment under `src/`; a file directly under `src/` (`index.ts`, `limits.ts`) is a node of its own.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

/** Path aliases from tsconfig.json, resolved to the file they stand for. */
const ALIASES: Record<string, string> = { 'segc/runtime': join(SRC, 'codegen/runtime/index.ts') };

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The folder node of a file under `src/`, or undefined for a file outside it. */
function folderOf(file: string): string | undefined {
  const path = relative(SRC, file);
  if (path.startsWith('..')) return undefined;
  return path.split(sep)[0];
}

/** Every module a file imports: static imports and exports (type-only too) and `import()`. */
function importsOf(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName);
}

function target(file: string, specifier: string): string | undefined {
  const alias = ALIASES[specifier];
  if (alias) return alias;
  if (!specifier.startsWith('.')) return undefined;
  return resolve(dirname(file), specifier);
}

interface Edge {
  readonly from: string;
  readonly to: string;
  /** One file import that makes the edge, for the failure message. */
  readonly example: string;
}

export function folderGraph(files: readonly string[]): Map<string, Map<string, Edge>> {
  const graph = new Map<string, Map<string, Edge>>();
  for (const file of files) {
    const from = folderOf(file);
    if (!from) continue;
    const edges = graph.get(from) ?? new Map<string, Edge>();
    graph.set(from, edges);
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      const path = target(file, specifier);
      const to = path && folderOf(path);
      if (!to || to === from || edges.has(to)) continue;
      edges.set(to, { from, to, example: `${relative(SRC, file)} imports '${specifier}'` });
    }
  }
  return graph;
}

/** The strongly connected components with more than one folder (Tarjan). */
export function cycles(graph: ReadonlyMap<string, ReadonlyMap<string, Edge>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}

/** One concrete cycle through a component, each step with the import that makes it. */
export function describeCycle(graph: ReadonlyMap<string, ReadonlyMap<string, Edge>>, component: string[]): string {
  const members = new Set(component);
  const start = component[0]!;
  // Breadth-first from start back to start, inside the component.
  const previous = new Map<string, Edge>();
  const queue = [start];
  while (queue.length) {
    const node = queue.shift()!;
    for (const edge of graph.get(node)?.values() ?? []) {
      if (!members.has(edge.to) || previous.has(edge.to)) continue;
      previous.set(edge.to, edge);
      if (edge.to === start) queue.length = 0;
      else queue.push(edge.to);
    }
  }
  const steps: Edge[] = [];
  let node = start;
  do {
    const edge = previous.get(node)!;
    steps.unshift(edge);
    node = edge.from;
  } while (node !== start);
  return [steps.map((e) => e.from).join(' → ') + ` → ${start}`, ...steps.map((e) => `  ${e.example}`)].join('\n');
}

describe('folders of src/', () => {
  it('finds a cycle between folders when there is one, with the imports that make it', () => {
    const edge = (from: string, to: string): [string, Edge] => [
      to,
      { from, to, example: `${from}/x.ts imports ${to}` },
    ];
    const graph = new Map([
      ['a', new Map([edge('a', 'b')])],
      ['b', new Map([edge('b', 'c')])],
      ['c', new Map([edge('c', 'a'), edge('c', 'd')])],
      ['d', new Map<string, Edge>()],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
    expect(describeCycle(graph, ['a', 'b', 'c'])).toBe(
      'a → b → c → a\n  a/x.ts imports b\n  b/x.ts imports c\n  c/x.ts imports a',
    );
    graph.get('c')!.delete('a');
    expect(cycles(graph)).toEqual([]);
  });

  it('reads type imports, re-exports and dynamic imports as edges', () => {
    const text = [
      "import type { A } from './a.js';",
      "import { type B } from './b.js';",
      "export { C } from '../c.js';",
      "export * from './d.js';",
      "const e = await import('./e.js');",
      "import './f.js';",
    ].join('\n');
    expect(importsOf(text)).toEqual(['./a.js', './b.js', '../c.js', './d.js', './e.js', './f.js']);
    const graph = folderGraph(sourceFiles(SRC));
    // src/index.ts re-exports the public API; the CLI loads its commands with import().
    expect([...graph.get('index.ts')!.keys()]).toContain('compiler');
    expect(graph.get('cli')!.size).toBeGreaterThan(5);
    expect(graph.size).toBeGreaterThan(15);
  });

  it('has no import cycle between folders', () => {
    const graph = folderGraph(sourceFiles(SRC));
    const found = cycles(graph).map((component) => describeCycle(graph, component));
    expect(found.join('\n\n')).toBe('');
  });

  it('keeps code generation independent of the explanation runtime', () => {
    // What to explain is an IR analysis (src/ir/analysis/explanations); computing maps is not codegen's.
    expect([
      ...folderGraph(sourceFiles(join(SRC, 'codegen')))
        .get('codegen')!
        .keys(),
    ]).not.toContain('explain');
  });
});
