/**
 * Makes `tf.grad` work for everything a segc model does, on every backend.
 *
 * tfjs-core's Node build (the package's `main`) registers no gradients: the definitions live
 * only in its ES build. `#tfjs-gradients` (package.json `imports`) is that build's
 * `register_all_gradients.js` for bundlers and vitest, and in plain Node the same definitions
 * bundled into one module by `scripts/vendor-gradients.mjs`. The registries are global, so
 * definitions registered by either serve every copy of tfjs-core.
 *
 * Code that differentiates (explanations, training, a generated module's `gradCam`) calls
 * `registerGradients()` itself; an app never has to.
 *
 * On top of tfjs-core's set this adds what segc models meet and tfjs leaves out: zero
 * gradients for comparisons and logical ops (an erasing mask such as ACoL's
 * `greater(map, threshold)` sits on the path from the loss to the weights, and tfjs would stop
 * with "gradient function not found"), gradients for the ops that only move elements
 * (`StridedSlice`, `DepthToSpace`, `GatherNd`), and the training kernels the wasm backend lacks.
 * It replaces tfjs's resize and average-pool gradients, which are wrong (see
 * `resize-gradients.ts` and `pool-gradients.ts`).
 */
import * as tf from '@tensorflow/tfjs-core';
import '#tfjs-gradients';
import { InternalError } from '../diagnostics/diagnostic.js';
import { registerWasmBackpropKernels } from './kernels/wasm-backprop.js';
import { depthToSpaceGradient, gatherNdGradient, stridedSliceGradient } from './moved-elements-gradients.js';
import { averagePoolGradient } from './pool-gradients.js';
import { resizeBilinearGradient, resizeNearestNeighborGradient } from './resize-gradients.js';

type GradientConfig = tf.GradConfig;

/** Kernels whose outputs are not differentiable in their inputs (booleans, reductions of them). */
const BINARY_ZERO_GRADIENT = ['Equal', 'NotEqual', 'Greater', 'Less', 'LessEqual', 'LogicalAnd', 'LogicalOr'];
const UNARY_ZERO_GRADIENT = ['LogicalNot', 'All', 'Any'];

function zeroGradient(kernelName: string, inputNames: readonly string[]): GradientConfig {
  return {
    kernelName,
    inputsToSave: [...inputNames],
    gradFunc: (_dy, saved) =>
      Object.fromEntries(inputNames.map((name, index) => [name, () => tf.zeros(saved[index]!.shape)])),
  };
}

function extraGradients(): GradientConfig[] {
  return [
    ...BINARY_ZERO_GRADIENT.map((name) => zeroGradient(name, ['a', 'b'])),
    ...UNARY_ZERO_GRADIENT.map((name) => zeroGradient(name, ['x'])),
    stridedSliceGradient,
    depthToSpaceGradient,
    gatherNdGradient,
  ];
}

/** Gradients tfjs-core has but gets wrong; these always replace tfjs's. */
const REPLACED_GRADIENTS: readonly GradientConfig[] = [
  resizeBilinearGradient,
  resizeNearestNeighborGradient,
  averagePoolGradient,
];

/** Kernel names that `registerGradients` supplies when tfjs-core has no gradient for them. */
export const SUPPLIED_GRADIENTS: readonly string[] = extraGradients().map((config) => config.kernelName);

/** Kernel names whose tfjs-core gradient `registerGradients` replaces. */
export const REPLACED_GRADIENT_KERNELS: readonly string[] = REPLACED_GRADIENTS.map((config) => config.kernelName);

/**
 * Idempotent. Registers segc's extra gradients (never replacing one tfjs already has), the
 * corrected resize gradients, and the wasm training kernels. Throws if tfjs-core's own gradients
 * are missing, which means `#tfjs-gradients` resolved to nothing that registers them.
 */
export function registerGradients(): void {
  if (!tf.getGradient('Conv2D')) {
    throw new InternalError(
      "tfjs-core's gradients are not registered: `#tfjs-gradients` did not load them " +
        '(from a clone, run `npm run build`, which writes dist/vendor/tfjs-gradients.js)',
    );
  }
  for (const config of extraGradients()) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
  for (const config of REPLACED_GRADIENTS) {
    if (tf.getGradient(config.kernelName) !== config) tf.registerGradient(config);
  }
  registerWasmBackpropKernels();
}
