/** Running segc on hostile input: in-process, or in a child with a memory and a time limit. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

export interface Outcome {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function segc(...argv: string[]): Promise<Outcome> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`) };
  const code = await main(argv, io);
  return { code, out, err };
}

/**
 * segc in a child Node with a 512 MB heap and a time limit: a fatal error or a hang shows as
 * an exit status (133, 134) or a signal instead of taking the test runner down.
 */
export function segcInChild(argv: readonly string[], timeoutMs = 60_000): Outcome & { signal: NodeJS.Signals | null } {
  const child = spawnSync(
    process.execPath,
    ['--max-old-space-size=512', '--import', 'tsx', join(import.meta.dirname, 'segc-child.mts'), ...argv],
    {
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return { code: child.status ?? -1, out: child.stdout, err: child.stderr, signal: child.signal };
}

export function scratchFolder(label: string): string {
  return mkdtempSync(join(tmpdir(), `segc-${label}-`));
}

export function writeText(folder: string, name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

/** A model file: one input `x: f32[N, H, W, 3]` and `output y = BODY`. */
export function modelSource(body: string, lets = ''): string {
  return `model M() {\n  input x: f32[N, H, W, 3]\n${lets}  output y = ${body}\n}\n`;
}
