/**
 * `segc/runtime`: what modules from `segc build` use at run time, browser-safe and without
 * the compiler. Apps import the weights loaders; `registerGradients` is for an app that trains or
 * differentiates with tfjs itself (a module's `gradCam` needs no tfjs gradients).
 */
export { registerGradients } from '../../runtime/gradients.js';
export { fetchWeights, storeWeights, type Manifest, type WeightsLoader } from './weights-loader.js';
export type { WeightsStore } from '../../runtime/weights.js';
