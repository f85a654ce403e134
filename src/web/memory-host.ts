/**
 * A compiler host over texts held in memory. A browser has no file system, so a page bundles
 * its `.seg` files and the standard library as strings and compiles from them. Paths are
 * POSIX-style keys: `std/heads.seg` for the standard library, anything else relative to the
 * importing file, as the Node host resolves them.
 */
import type { CompilerHost } from '../program/modules.js';

/** Joins and normalises `./` and `../` segments; a path that climbs above its root keeps its `..`. */
export function joinPath(directory: string, relative: string): string {
  const parts: string[] = [];
  for (const part of `${directory}/${relative}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function directoryOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** `files` maps paths such as `examples/model.seg` and `std/heads.seg` to their text. */
export function memoryHost(files: Readonly<Record<string, string>>): CompilerHost {
  const texts = new Map(Object.entries(files));
  return {
    readFile: (path) => texts.get(path),
    resolveImport: (from, specifier) =>
      specifier.startsWith('std/') ? specifier : joinPath(directoryOf(from), specifier),
  };
}
