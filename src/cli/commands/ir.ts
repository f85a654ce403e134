/** `segc ir FILE [-o OUT] [--mode source|inference|training] [--dump-after PASS]`: the IR as versioned JSON. */
import { hasErrors } from '../../compiler/compile.js';
import { writeIR } from '../../ir/json.js';
import { PASSES, type PassMode } from '../../ir/passes/index.js';
import { compileFromArgs, requireFiles } from '../compile-file.js';
import { type Parsed, UsageError } from '../args.js';
import { type Io, reportDiagnostics, writeOrPrint } from '../io.js';

export async function ir(parsed: Parsed, io: Io): Promise<number> {
  const mode = (parsed.values.mode as string | undefined) ?? 'source';
  if (!['source', 'inference', 'training'].includes(mode))
    throw new UsageError(`--mode must be source, inference or training, got \`${mode}\``);
  const dumpAfter = parsed.values['dump-after'] as string | undefined;
  if (dumpAfter && !PASSES.some((p) => p.name === dumpAfter))
    throw new UsageError(
      `--dump-after: no pass named \`${dumpAfter}\` (passes: ${PASSES.map((p) => p.name).join(', ')})`,
    );
  const [file] = requireFiles(parsed, 'ir', 1);
  const result = compileFromArgs(file!, parsed, {
    mode: mode as PassMode,
    ...(dumpAfter
      ? { dump: (pass, graph) => pass === dumpAfter && io.err(`--- IR after ${pass} ---\n${writeIR(graph)}`) }
      : {}),
  });
  reportDiagnostics(io, result.diagnostics, result.sources, false);
  if (hasErrors(result.diagnostics)) return 1;
  const model = result.models.find((m) => m.graph);
  if (!model?.graph) throw new UsageError(`${file} declares no model`);
  const text = writeIR(model.graph);
  await writeOrPrint(io, parsed.values.output as string | undefined, text);
  return 0;
}
