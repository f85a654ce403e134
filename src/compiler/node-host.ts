/** The Node compiler host: reads files from disk; `std/...` resolves to the bundled std folder. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UNKNOWN_SPAN } from '../diagnostics/diagnostic.js';
import { MAX_SOURCE_BYTES } from '../limits.js';
import type { CompilerHost } from '../program/modules.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

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
      refuseUnreadable(path, absolute);
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
        return readdirSync(folder)
          .filter((name) => name.endsWith('.seg'))
          .sort()
          .map((name) => prefix + name);
      } catch {
        return [];
      }
    },
  };
}

/** A device (`/dev/zero`), a FIFO or a huge file would be read until memory runs out. */
function refuseUnreadable(path: string, absolute: string): void {
  const info = statSync(absolute, { throwIfNoEntry: false });
  if (!info) return;
  const why = !info.isFile()
    ? info.isDirectory()
      ? undefined
      : 'it is not a regular file'
    : info.size > MAX_SOURCE_BYTES
      ? `it has ${info.size} bytes, more than the limit of ${MAX_SOURCE_BYTES} for a source file`
      : undefined;
  if (!why) return;
  throw diagnosticError(codes.importNotFound, `cannot read \`${path}\`: ${why}`, {
    hint: 'give the path of a .seg file',
    span: { ...UNKNOWN_SPAN, file: path },
  });
}
