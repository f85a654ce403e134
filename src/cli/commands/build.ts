/**
 * `segc build FILE -o DIR [--target ts|js|pytorch|onnx]`: each model of FILE as a typed TypeScript
 * module (and, with `--target js`, its JavaScript and declarations), with its IR JSON beside it;
 * with `--target pytorch`, as a PyTorch module with its runtime and `train.py`, and with
 * `--weights W` the weights as `<stem>.safetensors` (docs/pytorch.md); with `--target onnx`, as
 * an ONNX model holding the weights of `--weights W` (docs/onnx.md).
 */
import { join } from 'node:path';
import { buildFiles, moduleStems } from '../../codegen/index.js';
import { buildOnnx } from './build-onnx.js';
import { hasErrors } from '../../compiler/compile.js';
import { DiagnosticError } from '../../diagnostics/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import { type Parsed, UsageError } from '../args.js';
import { compileFromArgs, requireFiles } from '../compile-file.js';
import { writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import { type Io, reportDiagnostics } from '../io.js';
import { writePytorchBuild } from './build-pytorch.js';

type Target = 'ts' | 'js' | 'pytorch' | 'onnx';
const TARGETS: readonly Target[] = ['ts', 'js', 'pytorch', 'onnx'];

function readTarget(value: unknown): Target {
  const target = (value as string | undefined) ?? 'ts';
  if (!(TARGETS as readonly string[]).includes(target))
    throw new UsageError(`--target must be ts, js, pytorch or onnx, got \`${target}\``);
  return target as Target;
}

export async function build(parsed: Parsed, io: Io): Promise<number> {
  const target = readTarget(parsed.values.target);
  const weights = parsed.values.weights as string | undefined;
  if (weights !== undefined && target !== 'pytorch' && target !== 'onnx')
    throw new UsageError(
      '--weights is read by --target pytorch and onnx only (generated modules load weights at run time)',
    );
  const output = parsed.values.output as string | undefined;
  if (!output) throw new UsageError('build needs an output directory: -o DIR');
  const [file] = requireFiles(parsed, 'build', 1);
  const result = compileFromArgs(file!, parsed);
  reportDiagnostics(io, result.diagnostics, result.sources, false);
  if (hasErrors(result.diagnostics)) return 1;
  const models = result.models.filter((m): m is typeof m & { graph: Graph } => m.graph !== undefined);
  if (models.length === 0) throw new UsageError(`${file} declares no model`);
  if (target === 'onnx') {
    await buildOnnx(models, parsed, output, io);
    return 0;
  }
  const stems = moduleStems(
    file!,
    models.map((m) => m.graph),
  );
  if (target === 'pytorch') {
    try {
      await writePytorchBuild(
        { models, stems, source: file!, output, ...(weights !== undefined ? { weights } : {}) },
        io,
      );
    } catch (error) {
      // Shown with the code frame: a layer PyTorch cannot name points into the .seg file.
      if (!(error instanceof DiagnosticError)) throw error;
      reportDiagnostics(io, error.diagnostics, result.sources, false);
      return 1;
    }
    return 0;
  }
  for (const [index, model] of models.entries()) {
    const files = buildFiles(
      { graph: model.graph, sizes: model.sizes, declaration: model.declaration, source: file!, stem: stems[index]! },
      target,
    );
    for (const generated of files) {
      const path = join(output, generated.path);
      await writeFileAtomic(path, generated.text);
      io.out(`wrote ${path}`);
    }
  }
  return 0;
}
