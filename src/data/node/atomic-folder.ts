/**
 * Writes a whole folder so that readers see either nothing or the finished folder: files go
 * to a temporary sibling, which is renamed into place at the end (a rename within one file
 * system is atomic). An existing folder is replaced only when asked, and only after the new
 * one is complete.
 */
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError } from '../../diagnostics/error.js';

/** Writes files by path relative to the folder being built. */
export interface FolderWriter {
  write(relativePath: string, contents: Uint8Array | string): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function writeFolderAtomically(
  target: string,
  overwrite: boolean,
  build: (writer: FolderWriter) => Promise<void>,
): Promise<void> {
  if (!overwrite && (await exists(target))) {
    throw diagnosticError(codes.outputExists, `${target} already exists`, {
      hint: 'choose another folder, or ask to overwrite it',
      file: target,
    });
  }
  let temporary: string | undefined;
  try {
    await mkdir(dirname(target), { recursive: true });
    temporary = await mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
    await build(folderWriter(temporary));
    await moveIntoPlace(temporary, target);
  } catch (error) {
    if (temporary) await rm(temporary, { recursive: true, force: true });
    // Only file system failures are the user's to fix; anything else is a bug and keeps its stack.
    if (typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
    throw diagnosticError(
      codes.datasetNotWritten,
      `cannot write the data set to ${target}: ${(error as Error).message}`,
      { file: target },
    );
  }
}

function folderWriter(root: string): FolderWriter {
  const made = new Set<string>();
  return {
    async write(relativePath, contents) {
      const file = join(root, relativePath);
      if (!made.has(dirname(file))) await mkdir(dirname(file), { recursive: true });
      made.add(dirname(file));
      await writeFile(file, contents);
    },
  };
}

async function moveIntoPlace(temporary: string, target: string): Promise<void> {
  if (!(await exists(target))) {
    await rename(temporary, target);
    return;
  }
  const previous = `${temporary}-previous`;
  await rename(target, previous);
  await rename(temporary, target);
  await rm(previous, { recursive: true, force: true });
}
