/**
 * Reading a tfjs-layers model as `model.save` writes it (Keras's layer configuration in
 * snake_case under `modelTopology`, and a weights manifest with binary shards): the layers in
 * order with their inputs, the model's inputs and outputs, and the weights by their Keras names.
 * Weights are decoded with tfjs-core's own `io.decodeWeights`.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError, fileSpan } from '../diagnostics/error.js';
import { readManifestTensors, unreadable } from './source-files.js';

export interface KerasLayer {
  readonly className: string;
  readonly name: string;
  readonly config: Record<string, unknown>;
  /** The layers whose outputs this layer takes, in order (for a Sequential, the previous layer). */
  readonly inputs: readonly string[];
}

export interface KerasModel {
  readonly name: string;
  readonly layers: readonly KerasLayer[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Keras weight names (`conv2d/kernel`) → values; the caller disposes them. */
  readonly weights: Map<string, tf.Tensor>;
}

type Json = Record<string, unknown>;

/** `SRC` is model.json or the folder holding it: the file's path and its parsed JSON. */
export async function readModelJson(source: string): Promise<{ file: string; json: Json }> {
  const file = source.endsWith('.json') ? source : join(source, 'model.json');
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw unreadable(
      file,
      `cannot read ${file} (${error.code ?? error.message})`,
      'give a model.json written by tfjs-layers or tfjs-converter, or the folder holding it',
    );
  });
  try {
    const json = JSON.parse(text) as unknown;
    if (json && typeof json === 'object' && !Array.isArray(json)) return { file, json: json as Json };
    throw new Error('not an object');
  } catch (error) {
    throw unreadable(
      file,
      `${file} is not a JSON object: ${(error as Error).message}`,
      'give a model.json written by tfjs-layers or tfjs-converter',
    );
  }
}

/** Reads a tfjs-layers model from model.json (already parsed from `file`). */
export async function readLayersModel(file: string, json: Json): Promise<KerasModel> {
  const topology = json.modelTopology as Json | undefined;
  if (!topology || typeof topology !== 'object')
    throw unreadable(
      file,
      `${file} has no modelTopology, so it is not a tfjs-layers model`,
      'give a model.json written by tfjs-layers `model.save`',
    );
  const model = ((topology.model_config as Json | undefined) ?? topology) as Json;
  const structure = readStructure(file, model);
  const weights = await readManifestTensors(file, json.weightsManifest, { quantized: false, writer: 'model.save' });
  return { name: String((model.config as Json | undefined)?.name ?? basename(dirname(file))), ...structure, weights };
}

function readStructure(file: string, model: Json): Omit<KerasModel, 'weights' | 'name'> {
  const config = model.config as Json;
  const rawLayers = (Array.isArray(config) ? config : config?.layers) as Json[] | undefined;
  if (!Array.isArray(rawLayers))
    throw unreadable(
      file,
      `${file}: modelTopology has no list of layers`,
      'give a model.json written by tfjs-layers `model.save`',
    );
  if (model.class_name === 'Sequential') return sequential(rawLayers);
  if (model.class_name === 'Model' || model.class_name === 'Functional') return functional(file, config, rawLayers);
  throw unreadable(
    file,
    `${file}: a model of class \`${String(model.class_name)}\` is neither Sequential nor a functional Model`,
    'save the model with tfjs-layers or Keras',
  );
}

const layerOf = (raw: Json, inputs: string[]): KerasLayer => ({
  className: String(raw.class_name),
  name: String((raw.config as Json).name),
  config: raw.config as Json,
  inputs,
});

/** A Sequential has an implicit input (from the first layer's batch_input_shape) and a chain. */
function sequential(rawLayers: Json[]): Omit<KerasModel, 'weights' | 'name'> {
  const layers: KerasLayer[] = [];
  let previous: string | undefined;
  for (const raw of rawLayers) {
    if (raw.class_name !== 'InputLayer' && previous === undefined) {
      const config = raw.config as Json;
      const name = 'input';
      layers.push({
        className: 'InputLayer',
        name,
        config: { name, batch_input_shape: config.batch_input_shape ?? config.batch_shape },
        inputs: [],
      });
      previous = name;
    }
    layers.push(layerOf(raw, previous === undefined ? [] : [previous]));
    previous = String((raw.config as Json).name);
  }
  return { layers, inputs: [layers[0]!.name], outputs: [previous!] };
}

/** `inbound_nodes`: `[[[name, nodeIndex, tensorIndex, kwargs], ...]]`; a layer called twice (shared) is refused. */
function functional(file: string, config: Json, rawLayers: Json[]): Omit<KerasModel, 'weights' | 'name'> {
  const layers = rawLayers.map((raw) => {
    const nodes = (raw.inbound_nodes ?? []) as unknown[][];
    if (nodes.length > 1) {
      throw diagnosticError(
        codes.importUnsupportedLayer,
        `layer \`${String((raw.config as Json).name)}\` (${String(raw.class_name)}) is called ${nodes.length} times (shared weights)`,
        { span: fileSpan(file), hint: '.seg gives every call its own weights; unshare the layer' },
      );
    }
    const inputs = (nodes[0] ?? []).map((entry) => String((entry as unknown[])[0]));
    return layerOf(raw, inputs);
  });
  const names = (list: unknown) => (list as unknown[][]).map((entry) => String(entry[0]));
  return { layers, inputs: names(config.input_layers), outputs: names(config.output_layers) };
}
