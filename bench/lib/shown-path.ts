/**
 * Paths as committed bench results show them: relative inside the repository, `<work>/…` inside
 * the script's work folder, else `<option>` for an option's value (`--results <results>`) or the
 * file's name, so that no folder of the machine that made a result is written into data people
 * read on others.
 */
import { basename, isAbsolute, relative, resolve } from 'node:path';

/** `path` below `root`, relative to it ('' for `root` itself); undefined outside it. */
function below(root: string, path: string): string | undefined {
  const rest = relative(resolve(root), path);
  return rest.startsWith('..') || isAbsolute(rest) ? undefined : rest;
}

export function shownResultPath(path: string, work: string, option?: string, repository = '.'): string {
  if (!isAbsolute(path)) return path;
  const inRepository = below(repository, path);
  if (inRepository !== undefined) return inRepository || '.';
  const inWork = below(work, path);
  if (inWork !== undefined) return inWork ? `<work>/${inWork}` : '<work>';
  return option ? `<${option}>` : basename(path);
}

/** A command line's arguments, each absolute path shown as `shownResultPath` shows it. */
export function shownArguments(argv: readonly string[], work: string, repository = '.'): string[] {
  return argv.map((arg, index) => {
    const previous = argv[index - 1];
    return shownResultPath(arg, work, previous?.startsWith('--') ? previous.slice(2) : undefined, repository);
  });
}
