/** The weights a graph runs with, shared by the executor and weight preparation (batch-norm folding). */
import type * as tf from '@tensorflow/tfjs-core';

/** Weights by name: variables when training, plain tensors otherwise. */
export type WeightStore = ReadonlyMap<string, tf.Tensor>;
