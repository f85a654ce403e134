/**
 * Loaders for the `load…` function of a generated module. Browser-safe: weights come from the
 * directory (or URL prefix) holding `model.json` and its shards, as `segc train` saves them,
 * checked against the module's manifest (names, shapes, checksums) before any tensor is made.
 *
 *   import { loadGapCam } from './gap_cam.js';
 *   import { fetchWeights } from 'segc/codegen/runtime/weights-loader';
 *   const model = await loadGapCam(fetchWeights('https://example.org/gap_cam/'));
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type WeightsStore, fetchStore, loadWeightsFromStore } from '../../runtime/weights.js';
import type { WeightDtype } from '../../runtime/weights-manifest.js';

/** A generated module's `WEIGHTS`, as a loader receives it. */
export type Manifest = readonly {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: WeightDtype;
}[];

export type WeightsLoader = (manifest: Manifest) => Promise<Map<string, tf.Tensor>>;

/** Weights from any store (a bundle in memory, a cache, a file system). */
export function storeWeights(store: WeightsStore): WeightsLoader {
  return (manifest) =>
    loadWeightsFromStore(
      store,
      manifest.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype })),
    );
}

/** Weights over HTTP(S): `base` is the URL of the directory holding model.json. */
export function fetchWeights(base: string | URL): WeightsLoader {
  return storeWeights(fetchStore(base));
}
