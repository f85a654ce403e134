/**
 * What keeps `segc` loadable in plain Node: the sources import tfjs-core by its package name
 * only (its `main` in Node, its ES build in bundlers), and reach its gradients only through
 * `#tfjs-gradients` in src/runtime/gradients.ts. A deep import such as
 * `@tensorflow/tfjs-core/dist/register_all_gradients.js` works under vitest and in bundlers but
 * fails in Node with ERR_MODULE_NOT_FOUND.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY } from './reference.js';

const SOURCES = join(REPOSITORY, 'src');
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\b[^'"]*?(?:from\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(path: string): string[] {
  return [...readFileSync(path, 'utf8').matchAll(SPECIFIER)].map((match) => match[1] ?? match[2]!);
}

describe('imports that plain Node can resolve', () => {
  const files = sourceFiles(SOURCES);

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(importsOf(join(SOURCES, 'runtime', 'gradients.ts'))).toContain('#tfjs-gradients');
  });

  it('never imports a file inside a tfjs package', () => {
    const deep = files.flatMap((path) =>
      importsOf(path)
        .filter((s) => /^@tensorflow\/[^/]+\/./.test(s))
        .map((s) => `${relative(REPOSITORY, path)}: ${s}`),
    );
    expect(deep).toEqual([]);
  });

  it("takes tfjs-core's gradients only in src/runtime/gradients.ts", () => {
    const users = files
      .filter((path) => importsOf(path).includes('#tfjs-gradients'))
      .map((path) => relative(REPOSITORY, path));
    expect(users).toEqual(['src/runtime/gradients.ts']);
  });
});
