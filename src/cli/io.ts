/** Output helpers for commands: stdout/stderr writers and diagnostics in text or JSON. */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnosticToJson, renderDiagnostics, type SourceTexts } from '../diagnostics/render.js';
import { writeFileAtomic } from '../runtime/node/fs-atomic.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

let pipeWatched = false;

/**
 * A reader that stops early (`segc run --help | head -1`) closes the pipe: the output ends there,
 * as it does for other command-line tools, instead of an unhandled EPIPE and exit 1.
 */
export function endQuietlyWhenStdoutCloses(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

export function reportDiagnostics(
  io: Io,
  diagnostics: readonly Diagnostic[],
  sources: SourceTexts,
  json: boolean,
): void {
  if (json) return;
  if (diagnostics.length > 0) io.err(renderDiagnostics(diagnostics, sources));
}

export function diagnosticsJson(diagnostics: readonly Diagnostic[]): Record<string, unknown>[] {
  return diagnostics.map(diagnosticToJson);
}

export function countLine(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

/** Writes `text` to `output` atomically and says so, or prints it when no output is given. */
export async function writeOrPrint(io: Io, output: string | undefined, text: string): Promise<void> {
  if (!output) return io.out(text);
  await writeFileAtomic(output, text);
  io.out(`wrote ${output}`);
}
