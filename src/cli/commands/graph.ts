/** `segc graph FILE --format dot|svg|mermaid [-o OUT]`: the architecture as a diagram. */
import { hasErrors } from '../../compiler/compile.js';
import { toDot, toMermaid, toSvg } from '../../ir/export/index.js';
import { compileFromArgs, requireFiles } from '../compile-file.js';
import { type Parsed, UsageError } from '../args.js';
import { type Io, reportDiagnostics, writeOrPrint } from '../io.js';


export async function graph(parsed: Parsed, io: Io): Promise<number> {
  const format = (parsed.values.format as string | undefined) ?? 'dot';
  if (!['dot', 'svg', 'mermaid'].includes(format)) throw new UsageError(`--format must be dot, svg or mermaid, got \`${format}\``);
  const [file] = requireFiles(parsed, 'graph', 1);
  const result = compileFromArgs(file!, parsed);
  reportDiagnostics(io, result.diagnostics, result.sources, false);
  if (hasErrors(result.diagnostics)) return 1;
  const model = result.models.find((m) => m.graph);
  if (!model?.graph) throw new UsageError(`${file} declares no model`);
  const formatDim = model.sizes.format.bind(model.sizes);
  const text = format === 'dot' ? toDot(model.graph, { formatDim }) : format === 'mermaid' ? toMermaid(model.graph, { formatDim }) : await toSvg(model.graph, { formatDim });
  await writeOrPrint(io, parsed.values.output as string | undefined, text);
  return 0;
}
