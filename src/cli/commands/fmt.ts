/**
 * `segc fmt FILE... [--check]`: rewrite files in canonical form (atomically), or with --check
 * list the files that are not formatted and exit 1. A file with syntax errors is never rewritten.
 */
import { DiagnosticError } from '../../diagnostics/diagnostic.js';
import { parse as parseSource, print } from '../../parser/index.js';
import type { Parsed } from '../args.js';
import { requireFiles } from '../compile-file.js';
import { rewriteFileAtomic } from '../../runtime/node/fs-atomic.js';
import { type Io, reportDiagnostics } from '../io.js';
import { nodeHost } from '../../compiler/node-host.js';
import { codes } from '../../diagnostics/codes.js';

export async function fmt(parsed: Parsed, io: Io): Promise<number> {
  const checkOnly = parsed.values.check === true;
  let status = 0;
  for (const file of requireFiles(parsed, 'fmt')) {
    const source = nodeHost().readFile(file);
    if (source === undefined) {
      io.err(`${file}: error ${codes.importNotFound}: cannot read the file`);
      status = 1;
      continue;
    }
    const result = parseSource(source, file);
    if (result.diagnostics.some((d) => d.severity === 'error')) {
      reportDiagnostics(io, result.diagnostics, new Map([[file, source]]), false);
      io.err(`${file}: not formatted because it has syntax errors`);
      status = 1;
      continue;
    }
    const formatted = print(result.program);
    if (formatted === source) continue;
    if (checkOnly) {
      io.out(`${file}: not formatted (run segc fmt ${file})`);
      status = 1;
    } else {
      try {
        await rewriteFileAtomic(file, formatted);
        io.out(`${file}: formatted`);
      } catch (error) {
        if (!(error instanceof DiagnosticError)) throw error;
        reportDiagnostics(io, error.diagnostics, new Map(), false);
        status = 1;
      }
    }
  }
  return status;
}
