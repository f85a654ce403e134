/**
 * `segc build --target pytorch`: writes each model's PyTorch module, the runtime beside it and
 * `train.py`; with `--weights W` (a tfjs weights folder or safetensors) also the weights as
 * `<stem>.safetensors`, checked against the model first.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { pytorchFiles } from '../../codegen/pytorch/index.js';
import type { CompiledModel } from '../../compiler/compile.js';
import type { Graph } from '../../ir/graph.js';
import { selectBackend } from '../../runtime/backend.js';
import { weightDeclarations } from '../../runtime/model.js';
import { writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import { loadWeights } from '../../runtime/node/weights-fs.js';
import { weightsToSafetensors } from '../../runtime/safetensors.js';
import { UsageError } from '../args.js';
import type { Io } from '../io.js';

export interface PytorchBuild {
  readonly models: readonly (CompiledModel & { readonly graph: Graph })[];
  readonly stems: readonly string[];
  readonly source: string;
  readonly output: string;
  readonly weights?: string;
}

async function safetensorsOf(graph: Graph, location: string): Promise<Uint8Array> {
  await selectBackend('cpu');
  const expected = weightDeclarations(graph).map((d) => ({
    name: d.name,
    shape: d.shape,
    dtype: d.dtype,
    declaredAt: d.declaredAt,
  }));
  const tensors = await loadWeights(location, expected);
  try {
    return weightsToSafetensors(tensors, { model: graph.model, generatedBy: 'segc build --target pytorch' });
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

export async function writePytorchBuild(request: PytorchBuild, io: Io): Promise<void> {
  if (request.weights !== undefined && request.models.length > 1)
    throw new UsageError('--weights belongs to one model: choose it with --model NAME');
  // Everything is generated (and the weights checked) before the first file is written.
  const written: { path: string; data: string | Uint8Array }[] = [];
  const seen = new Set<string>();
  for (const [index, model] of request.models.entries()) {
    const stem = request.stems[index]!;
    const files = pytorchFiles({
      graph: model.graph,
      sizes: model.sizes,
      source: request.source,
      stem,
      single: request.models.length === 1,
    });
    for (const file of files) {
      if (seen.has(file.path)) continue;
      seen.add(file.path);
      written.push({ path: join(request.output, file.path), data: file.text });
    }
    if (request.weights !== undefined)
      written.push({
        path: join(request.output, `${stem}.safetensors`),
        data: await safetensorsOf(model.graph, request.weights),
      });
  }
  for (const { path, data } of written) {
    await writeFileAtomic(path, data);
    io.out(`wrote ${path}`);
  }
}
