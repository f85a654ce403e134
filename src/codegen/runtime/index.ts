/**
 * `segc/runtime`: what modules from `segc build` use at run time, browser-safe and without
 * the compiler. Apps import the weights loaders; `registerGradients` is for an app that trains or
 * differentiates with tfjs itself, and for a module whose `gradCam` falls back to tfjs gradients
 * (an op on the path without an emitted derivative), which imports and calls it.
 */
export { registerGradients } from '../../runtime/gradients.js';
export { fetchWeights, storeWeights, type Manifest, type WeightsLoader } from './weights-loader.js';
export type { WeightsStore } from '../../runtime/weights.js';
