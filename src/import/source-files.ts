/**
 * What the importers share: the error for a source file that cannot be read, and the tensors of a
 * weights manifest with its binary shards, as tfjs-layers' `model.save` and tfjs-converter write
 * them. Values are decoded with tfjs-core's own `io.decodeWeights`, which also expands the float16
 * and uint8 quantization tfjs-converter applies.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError, fileSpan } from '../diagnostics/error.js';

export const unreadable = (file: string, message: string, hint: string) =>
  diagnosticError(codes.importUnreadable, message, { span: fileSpan(file), hint });

export interface ManifestOptions {
  /** Whether quantized values are read (tfjs-converter's) or refused (a layers model saves float32). */
  readonly quantized: boolean;
  /** Who wrote the shards, for the hints: `tfjs-converter`, `model.save`. */
  readonly writer: string;
}

/** The manifest's tensors by name; on an error none is left allocated. */
export async function readManifestTensors(
  file: string,
  manifest: unknown,
  options: ManifestOptions,
): Promise<Map<string, tf.Tensor>> {
  const groups = (manifest ?? []) as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const group of groups) {
      const shards = await Promise.all(
        group.paths.map((path) =>
          readFile(join(dirname(file), path)).catch((error: NodeJS.ErrnoException) => {
            throw unreadable(
              file,
              `cannot read the weights shard ${join(dirname(file), path)} (${error.code ?? error.message})`,
              `keep the shards beside model.json, as ${options.writer} wrote them`,
            );
          }),
        ),
      );
      const bytes = Buffer.concat(shards);
      const needed = group.weights.reduce((total, spec) => total + storedBytes(spec), 0);
      const odd = group.weights.find(
        (spec) => (spec.dtype !== 'float32' && spec.dtype !== 'int32') || (!options.quantized && spec.quantization),
      );
      if (bytes.byteLength < needed || odd) {
        throw unreadable(
          file,
          odd
            ? `the weight \`${odd.name}\` of ${file} is ${odd.quantization ? `quantized to ${odd.quantization.dtype}` : odd.dtype}; segc reads float32 and int32 weights${options.quantized ? ' (quantized or not)' : ''}`
            : `the weights of ${file} are short (${bytes.byteLength} bytes for ${needed})`,
          options.quantized
            ? 'convert the model again with tfjs-converter'
            : 'save the model again with float32 weights',
        );
      }
      const decoded = tf.io.decodeWeights(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        group.weights,
      );
      for (const [name, tensor] of Object.entries(decoded)) tensors.set(name, tensor);
    }
  } catch (error) {
    tf.dispose([...tensors.values()]);
    throw error;
  }
  return tensors;
}

/** Bytes one manifest entry takes in the shard: 4 per value, or the quantized width. */
function storedBytes(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const quantized = spec.quantization?.dtype;
  return count * (quantized === 'float16' || quantized === 'uint16' ? 2 : quantized === 'uint8' ? 1 : 4);
}
