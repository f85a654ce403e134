/** `segc graph FILE --format dot|svg|mermaid [-o OUT]`: the architecture as a diagram. */
import { hasErrors } from '../../compiler/compile.js';
import { toDot, toMermaid, toSvg } from '../../ir/export/index.js';
import { compileFromArgs, requireFiles } from '../compile-file.js';
import { type Parsed, UsageError } from '../args.js';
import { type Io, reportDiagnostics, writeOrPrint } from '../io.js';
import { parseDepth } from './depth-option.js';

/** The model's own blocks are drawn open, the blocks they call as one node each. */
export const GRAPH_DEPTH = 1;

export async function graph(parsed: Parsed, io: Io): Promise<number> {
  const depth = parseDepth(parsed, GRAPH_DEPTH);
  const format = (parsed.values.format as string | undefined) ?? 'dot';
  if (!['dot', 'svg', 'mermaid'].includes(format))
    throw new UsageError(`--format must be dot, svg or mermaid, got \`${format}\``);
  const [file] = requireFiles(parsed, 'graph', 1);
  const result = compileFromArgs(file!, parsed);
  reportDiagnostics(io, result.diagnostics, result.sources, false);
  if (hasErrors(result.diagnostics)) return 1;
  const model = result.models.find((m) => m.graph);
  if (!model?.graph) throw new UsageError(`${file} declares no model`);
  const options = { formatDim: model.sizes.display.bind(model.sizes), depth };
  const text =
    format === 'dot'
      ? toDot(model.graph, options)
      : format === 'mermaid'
        ? toMermaid(model.graph, options)
        : await toSvg(model.graph, options);
  await writeOrPrint(io, parsed.values.output as string | undefined, text);
  return 0;
}
