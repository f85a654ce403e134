/**
 * `migrateWeights`: rewrites a weights folder saved before a `let` or block call was renamed
 * under the names the model uses now. The layers are paired as loading pairs them to report
 * E0412 (`weights-rename.ts`), plus pairs the user names; the result is then checked against
 * the model exactly as loading checks it, so nothing is written that would not load, and it is
 * written the way `saveWeights` writes (all or nothing). The shards' checksums and values are
 * checked on the way in; the numbers are copied unchanged.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DiagnosticError } from '../../diagnostics/diagnostic.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError, fileSpan } from '../../diagnostics/error.js';
import { loadWeightsFromStore, MODEL_JSON, readModelJson, type ExpectedWeight } from '../weights.js';
import { compareWithModel, type WeightsModelJson } from '../weights-manifest.js';
import {
  type LayerRename,
  layerOrder,
  layerStructure,
  matchRenamedLayers,
  type NamedWeight,
  renamedWeights,
  splitWeightName,
} from '../weights-rename.js';
import { fileStore, saveWeights } from './weights-fs.js';
import { SAFETENSORS_SUFFIX } from '../safetensors.js';
import { weightDeclarations } from '../model.js';
import type { Graph } from '../../ir/graph.js';

/** Files of a weights folder that belong to the weights and move with them. */
const COMPANION_FILES = ['classes.json'];

export interface MigrateWeightsOptions {
  /** Pairs of layers (old name → new name) to take as given, for layers E0413 cannot pair. */
  readonly map?: ReadonlyMap<string, string>;
  /** Work out and check the mapping, but write nothing. */
  readonly dryRun?: boolean;
  /** Recorded in model.json as what the weights belong to. */
  readonly model?: string;
}

export interface MigrateWeightsResult {
  /** The layers that moved, in graph order (empty when the names already match). */
  readonly renames: readonly LayerRename[];
  /** Whether a folder was written: false for a dry run or when nothing moved. */
  readonly written: boolean;
}

/**
 * Writes the weights at `from` (a segc weights folder or its model.json) to the folder `to`
 * under the names of the model: its compiled graph, or its weights in graph order as
 * `weightDeclarations` gives them. Throws a DiagnosticError when the weights do not fit the model after the
 * renames: layers of equal structure that cannot be paired (E0413), missing or extra weights.
 */
export async function migrateWeights(
  from: string,
  to: string,
  model: Graph | readonly ExpectedWeight[],
  options: MigrateWeightsOptions = {},
): Promise<MigrateWeightsResult> {
  const expected: readonly ExpectedWeight[] =
    'nodes' in model
      ? weightDeclarations(model).map(({ name, shape, dtype, declaredAt }) => ({ name, shape, dtype, declaredAt }))
      : model;
  if (from.endsWith(SAFETENSORS_SUFFIX))
    throw diagnosticError(
      codes.weightsNotWritten,
      `${from} is a safetensors file; migrate reads segc weights folders`,
      {
        span: fileSpan(from),
        hint: 'rename its keys where it was written (e.g. the PyTorch state_dict), or load it into the old .seg file and save a folder',
      },
    );
  const directory = basename(from) === MODEL_JSON ? dirname(from) : from;
  if (resolve(directory) === resolve(to))
    throw diagnosticError(codes.weightsNotWritten, `will not migrate ${directory} onto itself`, {
      span: fileSpan(directory),
      hint: 'give -o a new folder; the old weights stay as they were',
    });
  const store = fileStore(directory);
  const json = await readModelJson(store);
  const saved = json.weightsManifest.flatMap((group) => group.weights);
  const map = options.map ?? new Map<string, string>();
  checkMap(map, saved, expected, store.locate(MODEL_JSON));
  const match = matchRenamedLayers(saved, expected, json.segc.layers, map);
  const names = renamedWeights(match.renames);
  const renamed: WeightsModelJson = {
    ...json,
    weightsManifest: json.weightsManifest.map((group) => ({
      ...group,
      weights: group.weights.map((entry) => ({ ...entry, name: names.get(entry.name) ?? entry.name })),
    })),
    segc: { ...json.segc, layers: layerOrder(expected) },
  };
  const problems = compareWithModel(renamed, expected, store.locate(MODEL_JSON));
  if (problems.length > 0) throw new DiagnosticError(problems);
  if (options.dryRun || match.renames.length === 0) return { renames: match.renames, written: false };

  const tensors = await loadWeightsFromStore(store, saved);
  try {
    const moved = new Map([...tensors].map(([name, tensor]) => [names.get(name) ?? name, tensor]));
    const companions = new Map<string, Uint8Array>();
    for (const name of COMPANION_FILES) {
      const bytes = await readFile(join(directory, name)).catch(() => undefined);
      if (bytes) companions.set(name, bytes);
    }
    await saveWeights(
      to,
      moved,
      { model: options.model ?? json.segc.model, generatedBy: 'segc weights migrate', layers: layerOrder(expected) },
      companions,
    );
  } finally {
    tf.dispose([...tensors.values()]);
  }
  return { renames: match.renames, written: true };
}

/** The structure of each layer of a weights list, as `layerStructure` writes it. */
function structures(weights: readonly NamedWeight[]): Map<string, string> {
  const roles = new Map<string, { role: string; shape: readonly number[]; dtype: NamedWeight['dtype'] }[]>();
  for (const weight of weights) {
    const { layer, role } = splitWeightName(weight.name);
    roles.set(layer, [...(roles.get(layer) ?? []), { role, shape: weight.shape, dtype: weight.dtype }]);
  }
  return new Map(
    [...roles].map(([layer, list]) => [layer, layerStructure(list.sort((a, b) => (a.role < b.role ? -1 : 1)))]),
  );
}

/** Each pair named by the user must name a layer of the file and a layer of the model of the same structure. */
function checkMap(
  map: ReadonlyMap<string, string>,
  saved: readonly NamedWeight[],
  expected: readonly NamedWeight[],
  source: string,
): void {
  const savedLayers = structures(saved);
  const modelLayers = structures(expected);
  for (const [old, now] of map) {
    const wrong = !savedLayers.has(old)
      ? `\`${old}\` is not a layer of ${source}`
      : !modelLayers.has(now)
        ? `\`${now}\` is not a layer of the model`
        : savedLayers.get(old) !== modelLayers.get(now)
          ? `the layers differ: \`${old}\` has ${savedLayers.get(old)}, \`${now}\` has ${modelLayers.get(now)}`
          : undefined;
    if (wrong)
      throw diagnosticError(codes.ambiguousRename, `--map ${old}=${now}: ${wrong}`, {
        span: fileSpan(source),
        hint: 'a layer is a weight name less its last part: `enc/aspp/conv` for `enc/aspp/conv/kernel`',
      });
  }
}
