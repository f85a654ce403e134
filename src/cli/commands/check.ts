/** `segc check FILE...`: parse, resolve names and check shapes; exit 1 on any error. */
import { hasErrors } from '../../compiler/compile.js';
import type { Parsed } from '../args.js';
import { compileFromArgs, requireFiles } from '../compile-file.js';
import { type Io, countLine, diagnosticsJson, reportDiagnostics } from '../io.js';

export function check(parsed: Parsed, io: Io): number {
  const json = parsed.values.json === true;
  const files = requireFiles(parsed, 'check');
  let failed = false;
  const reports: Record<string, unknown>[] = [];
  for (const file of files) {
    const result = compileFromArgs(file, parsed);
    failed ||= hasErrors(result.diagnostics);
    reportDiagnostics(io, result.diagnostics, result.sources, json);
    const models = result.models.map((m) => ({
      name: m.name,
      ok: m.graph !== undefined,
      nodes: m.graph?.nodes.length ?? 0,
    }));
    reports.push({
      file,
      ok: !hasErrors(result.diagnostics),
      models,
      diagnostics: diagnosticsJson(result.diagnostics),
    });
    if (!json) {
      const names = models.map((m) => m.name).join(', ');
      io.out(`${file}: ${countLine(result.diagnostics)}${names ? ` (models: ${names})` : ''}`);
    }
  }
  if (json) io.out(JSON.stringify({ ok: !failed, files: reports }, null, 2));
  return failed ? 1 : 0;
}
