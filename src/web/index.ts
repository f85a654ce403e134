/**
 * Running segc models in a web page: start WebGPU (or wasm), compile bundled `.seg` texts,
 * fetch weights, segment an image and explain it with Grad-CAM. Browser-safe: nothing here
 * imports a Node module (the page's build fails if anything does).
 */
export {
  classHistogram,
  fitToModel,
  modelInputOf,
  gradCamHeatmap,
  heatmapOverlayImage,
  maskOverlayImage,
  mostFrequentForeground,
  segment,
  type Heatmap,
  type Segmentation,
} from './analyse.js';
export { backendRequestFrom, describeBackend, startWebBackend, type WebBackendRequest } from './backend.js';
export { LETTERBOX_FILL, cropToBox, fitBox, letterbox, shrinkToFit, type Box } from './letterbox.js';
export { compileBundled, loadWebModel, type BundledSources, type WebModel } from './load-model.js';
export { joinPath, memoryHost } from './memory-host.js';
export {
  ONNX_RUNTIME_WEB_MODULE,
  OnnxRuntimeWebMissing,
  loadOnnxRuntimeWeb,
  onnxWebProviders,
  useOnnxRuntimeWeb,
  webOnnxExplainerOf,
  type OnnxRuntimeWeb,
  type OnnxWebProvider,
} from './onnx.js';
export { decodeImageBlob, fetchImage, toImageData } from './pixels.js';
