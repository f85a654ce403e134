/**
 * Atomic file writes: the data goes to a temporary file beside the target, is flushed to
 * disk, and is renamed over the target, so a reader sees the old file or the new one, never a
 * half-written one (rename is atomic within one file system).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError, fileSpan } from '../../diagnostics/error.js';

/** A name beside `path` that no other writer picks. */
export function temporaryNameBeside(path: string, label: string): string {
  return join(dirname(path), `.${basename(path)}.${label}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

export function writeError(path: string, error: unknown): Error {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return diagnosticError(codes.fileNotWritten, `cannot write ${path} (${reason})`, {
    span: fileSpan(path),
    hint: 'check that the directory exists and is writable, and that the disk has space',
  });
}

export async function writeFileAtomic(path: string, data: Uint8Array | string, mode?: number): Promise<void> {
  const temporary = temporaryNameBeside(path, 'tmp');
  try {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(temporary, 'wx');
    try {
      if (mode !== undefined) await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    // The clean-up must not replace the real reason (it fails too when the folder is a file).
    await rm(temporary, { force: true }).catch(() => undefined);
    throw writeError(path, error);
  }
}

/**
 * Replaces an existing file's contents atomically as an editor would: through a symbolic link
 * the link's target is rewritten (the link stays a link), and the file keeps its permission
 * bits. A file without any write permission is refused rather than silently made writable.
 */
export async function rewriteFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  let target: string;
  let mode: number;
  try {
    target = await realpath(path);
    mode = (await stat(target)).mode & 0o7777;
  } catch (error) {
    throw writeError(path, error);
  }
  if ((mode & 0o222) === 0) {
    throw diagnosticError(codes.fileNotWritten, `${path} is read-only, so it was left as it is`, {
      span: fileSpan(path),
      hint: 'make it writable (chmod u+w) to rewrite it',
    });
  }
  await writeFileAtomic(target, data, mode);
}

/**
 * Creates the output folder (and its parents) or explains why it cannot be one, before any
 * work is done: an existing file of that name, or a parent that is a file.
 */
export async function ensureOutputFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
    if (!(await stat(path)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a file of that name (or of a parent folder) exists'
        : (code ?? (error as Error).message);
    throw diagnosticError(codes.fileNotWritten, `cannot use ${path} as the output folder: ${reason}`, {
      span: fileSpan(path),
      hint: 'give --out a new folder name or an existing folder',
    });
  }
}
