/**
 * Checks on input files and output folders that run before a model is compiled or a backend
 * starts, so that a mistyped path costs nothing and is reported with the file's name alone
 * (a whole-file problem has no line and column to show).
 */
import { open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { detectImageFormat } from '../runtime/node/image-io.js';
import { UsageError } from './args.js';
import type { Io } from './io.js';
import { codes } from '../diagnostics/codes.js';

/** Each image must be a readable file that starts like a PNG or a JPEG. Problems go to `io`; false if any. */
export async function checkImages(paths: readonly string[], io: Io): Promise<boolean> {
  const problems = await Promise.all(paths.map(imageProblem));
  for (const problem of problems) if (problem) io.err(problem);
  return problems.every((p) => p === undefined);
}

async function imageProblem(path: string): Promise<string | undefined> {
  let head: Uint8Array;
  try {
    const file = await open(path, 'r');
    try {
      if (!(await file.stat()).isFile())
        return `${path}: error ${codes.imageNotFound}: ${path} is not a file\n  hint: give an image file`;
      head = new Uint8Array(8);
      await file.read(head, 0, 8, 0);
    } finally {
      await file.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? 'check the path' : 'check that it is a readable file';
    return `${path}: error ${codes.imageNotFound}: cannot read image ${path} (${code ?? (error as Error).message})\n  hint: ${hint}`;
  }
  if (detectImageFormat(head)) return undefined;
  return `${path}: error ${codes.imageFormatUnsupported}: ${path} is not a PNG or JPEG image\n  hint: convert it to PNG or JPEG`;
}

/** `--out DIR` may be missing (it is created) or a folder, not a file, nor a folder under a file. */
export async function checkOutputFolder(path: string): Promise<void> {
  for (let folder = path; ; folder = dirname(folder)) {
    const found = await stat(folder).catch(() => undefined);
    if (found && !found.isDirectory()) {
      throw new UsageError(
        folder === path
          ? `--out ${path} is a file; give a folder (it is created if missing)`
          : `--out ${path} lies under ${folder}, which is a file; give a folder`,
      );
    }
    if (found || dirname(folder) === folder) return;
  }
}
