/**
 * `segc build FILE -o DIR [--target ts|js]`: each model of FILE as a typed TypeScript module
 * (and, with `--target js`, its JavaScript and declarations), with its IR JSON beside it.
 */
import { join } from 'node:path';
import { buildFiles, moduleStems } from '../../codegen/index.js';
import { hasErrors } from '../../compiler/compile.js';
import type { Graph } from '../../ir/graph.js';
import { type Parsed, UsageError } from '../args.js';
import { compileFromArgs, requireFiles } from '../compile-file.js';
import { writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import { type Io, reportDiagnostics } from '../io.js';


function readTarget(value: unknown): 'ts' | 'js' {
  const target = (value as string | undefined) ?? 'ts';
  if (target !== 'ts' && target !== 'js') throw new UsageError(`--target must be ts or js, got \`${target}\``);
  return target;
}

export async function build(parsed: Parsed, io: Io): Promise<number> {
  const target = readTarget(parsed.values.target);
  const output = parsed.values.output as string | undefined;
  if (!output) throw new UsageError('build needs an output directory: -o DIR');
  const [file] = requireFiles(parsed, 'build', 1);
  const result = compileFromArgs(file!, parsed);
  reportDiagnostics(io, result.diagnostics, result.sources, false);
  if (hasErrors(result.diagnostics)) return 1;
  const models = result.models.filter((m): m is typeof m & { graph: Graph } => m.graph !== undefined);
  if (models.length === 0) throw new UsageError(`${file} declares no model`);
  const stems = moduleStems(file!, models.map((m) => m.graph));
  for (const [index, model] of models.entries()) {
    const files = buildFiles({ graph: model.graph, sizes: model.sizes, declaration: model.declaration, source: file!, stem: stems[index]! }, target);
    for (const generated of files) {
      const path = join(output, generated.path);
      await writeFileAtomic(path, generated.text);
      io.out(`wrote ${path}`);
    }
  }
  return 0;
}
