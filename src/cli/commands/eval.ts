/**
 * `segc eval MODEL.seg --weights W --data DIR`: scores trained weights on a data set: mIoU and
 * friends for segmentation, top-1/top-5 for classifiers, and localisation from class maps for
 * data with boxes, label-set scores with --multi-label. A table (or JSON with --json) on stdout;
 * the confusion-matrix SVG only with --confusion FILE.
 */
import { basename } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { openDataset } from '../../data/node/dataset.js';
import type { Graph } from '../../ir/graph.js';
import type { SizeSpace } from '../../shapes/sizes.js';
import { SegModel, weightDeclarations } from '../../runtime/model.js';
import { writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import { loadWeights } from '../../runtime/node/weights-fs.js';
import { confusionMatrixSvg } from '../../train/confusion-svg.js';
import { evaluateDataset, type MapMethod } from '../../train/evaluate.js';
import { resolveWeightsFolder } from '../../train/node/checkpoint.js';
import { formatReport, reportJson } from '../../train/report.js';
import { inferTask, inputSpec } from '../../train/task.js';
import type { Parsed } from '../args.js';
import { requireFiles } from '../compile-file.js';
import type { Io } from '../io.js';
import { backendOption, startBackend } from '../backend.js';
import { choiceOption, compileOneModel, numberOption, requireOption } from './train.js';

/** A model on weights read from a weights folder, a model.json, or a `segc train` output folder. */
export async function loadModelWeights(graph: Graph, sizes: SizeSpace, location: string): Promise<SegModel> {
  const expected = weightDeclarations(graph).map((d) => ({
    name: d.name,
    shape: d.shape,
    dtype: d.dtype,
    declaredAt: d.declaredAt,
  }));
  const tensors = await loadWeights(await resolveWeightsFolder(location), expected);
  try {
    return SegModel.fromTensors(graph, sizes, tensors);
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

export async function evaluate(parsed: Parsed, io: Io): Promise<number> {
  const [file] = requireFiles(parsed, 'eval', 1);
  const weights = requireOption(parsed, 'weights', 'eval');
  const dataDir = requireOption(parsed, 'data', 'eval');
  const batchSize = numberOption(parsed, 'batch', 16, true, 1);
  const backend = backendOption(parsed.values.backend, 'wasm');
  const confusion = typeof parsed.values.confusion === 'string' ? parsed.values.confusion : undefined;
  const compiled = compileOneModel(file!, parsed, io, 'eval');
  if (!compiled) return 1;
  const task = inferTask(compiled.graph);
  const method = choiceOption(
    parsed,
    'method',
    ['cam', 'gradcam', 'gradcampp', 'layercam', 'acol', 'none'] as const,
    task.kind === 'acol' ? 'acol' : 'cam',
  );
  const dataset = await openDataset(dataDir);
  await startBackend(backend, io);
  const model = await loadModelWeights(compiled.graph, compiled.sizes, weights);
  try {
    const report = await evaluateDataset(model, dataset, task, inputSpec(compiled.graph), {
      batchSize,
      multiLabel: parsed.values['multi-label'] === true,
      ...(method !== 'none' && task.kind !== 'segmentation' ? { mapMethod: method as MapMethod } : {}),
      ...(typeof parsed.values.layer === 'string' ? { mapLayer: parsed.values.layer } : {}),
    });
    // The chart is written only when asked for (--confusion FILE).
    if (confusion)
      await writeFileAtomic(
        confusion,
        confusionMatrixSvg(report.confusion, report.classNames, `${compiled.graph.model} on ${basename(dataDir)}`),
      );
    if (parsed.values.json === true)
      io.out(
        JSON.stringify(
          {
            model: compiled.graph.model,
            data: dataDir,
            weights,
            ...reportJson(report),
            ...(confusion ? { confusionImage: confusion } : {}),
          },
          null,
          2,
        ),
      );
    else io.out(`${formatReport(report)}${confusion ? `\nconfusion matrix: ${confusion}` : ''}`);
    return 0;
  } finally {
    model.dispose();
  }
}
