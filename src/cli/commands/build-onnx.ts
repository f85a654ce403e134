/**
 * `segc build FILE --target onnx -o DIR`: each model of FILE as `DIR/<model>.onnx` (opset 17),
 * on the weights of `--weights DIR` or, without it, on seeded random weights (announced).
 * Weights past 2 GB go to `DIR/<model>.onnx.data` beside it.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { CompiledModel } from '../../compiler/compile.js';
import type { Graph } from '../../ir/graph.js';
import { OnnxExportError, exportOnnx } from '../../onnx/export.js';
import { selectBackend } from '../../runtime/backend.js';
import { SegModel, weightDeclarations } from '../../runtime/model.js';
import { writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import { loadWeights } from '../../runtime/node/weights-fs.js';
import type { Parsed } from '../args.js';
import { seedOf } from '../load-model.js';
import type { Io } from '../io.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError } from '../../diagnostics/error.js';

type BuiltModel = CompiledModel & { graph: Graph };

/** Writes one .onnx per model; the weights are folded and re-ordered on tfjs's cpu backend, exactly. */
export async function buildOnnx(models: readonly BuiltModel[], parsed: Parsed, output: string, io: Io): Promise<void> {
  tf.env().set('PROD', true);
  await selectBackend('cpu');
  for (const compiled of models) {
    const model = await modelWithWeights(compiled, parsed, io);
    try {
      const exported = await exportModel(model);
      const path = join(output, `${compiled.graph.model}.onnx`);
      if (exported.externalData) {
        const dataPath = join(output, exported.externalData.file);
        await writeFileAtomic(dataPath, exported.externalData.bytes);
        io.out(`wrote ${dataPath}`);
      }
      await writeFileAtomic(path, exported.model);
      io.out(`wrote ${path}`);
    } finally {
      model.dispose();
    }
  }
}

async function exportModel(model: SegModel) {
  try {
    return await exportOnnx(model.inference, model.weights, { producerVersion: '0.1.0' });
  } catch (error) {
    if (!(error instanceof OnnxExportError)) throw error;
    throw diagnosticError(codes.onnxUnsupported, `cannot export \`${error.node.name}\` to ONNX: ${error.message}`, {
      span: error.node.span,
      ...(error.hint ? { hint: error.hint } : {}),
    });
  }
}

async function modelWithWeights(compiled: BuiltModel, parsed: Parsed, io: Io): Promise<SegModel> {
  const weightsDir = parsed.values.weights as string | undefined;
  if (!weightsDir) {
    io.err(`WARNING: no --weights given: ${compiled.graph.model}.onnx holds seeded random weights (a smoke test).`);
    return SegModel.random(compiled.graph, compiled.sizes, seedOf(parsed));
  }
  const expected = weightDeclarations(compiled.graph).map((d) => ({
    name: d.name,
    shape: d.shape,
    dtype: d.dtype,
    declaredAt: d.declaredAt,
  }));
  const tensors = await loadWeights(weightsDir, expected);
  try {
    return SegModel.fromTensors(compiled.graph, compiled.sizes, tensors);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
