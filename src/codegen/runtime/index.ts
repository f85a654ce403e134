/**
 * `segc/runtime`: what modules from `segc build` use at run time, browser-safe and without
 * the compiler. A module with `gradCam` imports `registerGradients` from here and calls it
 * itself; apps import the weights loaders.
 */
export { registerGradients } from '../../runtime/gradients.js';
export { fetchWeights, storeWeights, type Manifest, type WeightsLoader } from './weights-loader.js';
export type { WeightsStore } from '../../runtime/weights.js';
