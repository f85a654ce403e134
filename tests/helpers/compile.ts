import { compileSource, type CompileOptions, type CompileResult } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';

/** Compiles inline source as `test.seg` (imports of `std/...` resolve to the bundled std). */
export function compileText(source: string, options: CompileOptions = {}): CompileResult {
  return compileSource(source, 'test.seg', options, nodeHost());
}

/** Each diagnostic as `line:col code message`, in order. */
export function diagnose(source: string, options: CompileOptions = {}): string[] {
  return compileText(source, options).diagnostics.map(
    (d) => `${d.span.start.line}:${d.span.start.column} ${d.code} ${d.message}`,
  );
}

/** Hints, in the same order. */
export function hints(source: string, options: CompileOptions = {}): (string | undefined)[] {
  return compileText(source, options).diagnostics.map((d) => d.hint);
}
