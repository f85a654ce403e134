/** The Node compiler host: reads files from disk; `std/...` resolves to the bundled std folder. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompilerHost } from './modules.js';

/**
 * The package root: the nearest folder above this module with package.json and std/. Found by
 * looking rather than by counting levels, because the bundled command line (dist/cli/chunks/)
 * does not sit where src/compiler and dist/compiler do.
 */
function packageRoot(from: string): string {
  for (let folder = from; dirname(folder) !== folder; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json')) && existsSync(join(folder, 'std'))) return folder;
  }
  return resolve(from, '..', '..');
}

export const PACKAGE_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));
export const STD_DIR = join(PACKAGE_ROOT, 'std');

/** Paths are shown relative to the working directory, as users typed them. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function resolveImport(from: string, specifier: string): string {
  if (specifier.startsWith('std/')) return displayPath(join(STD_DIR, specifier.slice(4)));
  if (isAbsolute(specifier)) return specifier;
  return displayPath(join(dirname(resolve(from)), specifier));
}

export function nodeHost(): CompilerHost {
  return {
    readFile(path) {
      const absolute = resolve(path);
      if (!existsSync(absolute)) return undefined;
      try {
        return readFileSync(absolute, 'utf8');
      } catch {
        return undefined;
      }
    },
    resolveImport,
    neighbours(from, specifier) {
      const folder = dirname(resolve(resolveImport(from, specifier)));
      const prefix = specifier.slice(0, specifier.length - basename(specifier).length);
      try {
        return readdirSync(folder).filter((name) => name.endsWith('.seg')).sort().map((name) => prefix + name);
      } catch {
        return [];
      }
    },
  };
}
