/**
 * For the pages of browser tests (it runs in the page, so it imports nothing of Node's): a model
 * compiled from source with seeded random weights, put on the host or computed on the GPU, and a
 * fixed input for it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { compileSource } from '../../src/compiler/compile.js';
import type { Graph } from '../../src/ir/graph.js';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { memoryHost } from '../../src/web/memory-host.js';

export interface SeededModel {
  readonly graph: Graph;
  /** The model with its weights uploaded from the host, on the current backend. */
  onHost(): SegModel;
  /**
   * The model with its weights computed on the current backend (WebGPU), as a loader that
   * dequantizes or converts them leaves them: no copy on the host.
   */
  computedOnDevice(): SegModel;
}

/**
 * The first model of `source` (file `tiny.seg`), its weights drawn from N(0, 0.5) with seed i + 1
 * for the i-th weight on the current backend; a batch norm's moving variances are |x| + 0.5.
 */
export function seededModel(source: string): SeededModel {
  const compiled = compileSource(source, 'tiny.seg', {}, memoryHost({ 'tiny.seg': source })).models[0]!;
  const graph = compiled.graph!;
  const declarations = weightDeclarations(graph);
  const arrays = declarations.map((d, i) =>
    tf.tidy(() => {
      const random = tf.randomNormal([...d.shape], 0, 0.5, 'float32', i + 1);
      return (d.name.endsWith('movingVariance') ? tf.add(tf.abs(random), 0.5) : random).dataSync() as Float32Array;
    }),
  );
  const modelOn = (make: (values: Float32Array, shape: number[]) => tf.Tensor) => {
    const weights = new Map(declarations.map((d, i) => [d.name, make(arrays[i]!, [...d.shape])]));
    const model = SegModel.fromTensors(graph, compiled.sizes, weights);
    tf.dispose([...weights.values()]);
    return model;
  };
  return {
    graph,
    onHost: () => modelOn((values, shape) => tf.tensor(values, shape)),
    computedOnDevice: () => {
      // tfjs runs small element-wise ops on the host unless told not to; with no hand-off every
      // weight is computed on the GPU.
      const handOff = tf.env().getBool('WEBGPU_CPU_FORWARD');
      tf.env().set('WEBGPU_CPU_FORWARD', false);
      try {
        return modelOn((values, shape) => tf.tidy(() => tf.mul(tf.tensor(values, shape), 1)));
      } finally {
        tf.env().set('WEBGPU_CPU_FORWARD', handOff);
      }
    },
  };
}

/** A fixed input for such a model: [2, 16, 16, 2], values in [0, 1]. */
export function seededInput(): Float32Array {
  return Float32Array.from({ length: 2 * 16 * 16 * 2 }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);
}
