/**
 * `segc/node`: what a Node app needs beside the browser-safe API of `segc` — compiling `.seg`
 * files from disk (with `std/` and relative imports), weights folders, and image files.
 */
export {
  compileFile,
  loadModel,
  type CompileFileOptions,
  type LoadModelOptions,
  type LoadedModel,
  type ParamValue,
} from './load-model.js';
export { nodeHost, STD_DIR } from '../compiler/node-host.js';
export { fileStore, loadWeights, saveWeights } from '../runtime/node/weights-fs.js';
export {
  migrateWeights,
  type MigrateWeightsOptions,
  type MigrateWeightsResult,
} from '../runtime/node/weights-migrate.js';
export type { LayerRename } from '../runtime/weights-rename.js';
export {
  decodeImage,
  detectImageFormat,
  encodePng,
  readImage,
  readImageResized,
  writePng,
  type ImageFormat,
} from '../runtime/node/image-io.js';
export type { RgbImage } from '../runtime/image.js';
export { onnxExplainerOf, useOnnxRuntime } from './onnx-runtime.js';
