/**
 * Explanations derived by the compiler: per output, the kind of prediction, the Grad-CAM
 * target layer and the exact class activation maps the architecture allows; the methods
 * (CAM, Grad-CAM, Grad-CAM++, LayerCAM, ACoL, feature maps); boxes and masks from maps; the
 * ACoL training loss. Browser-safe.
 */
export { acolLoss, softmaxCrossEntropy } from './acol.js';
export { deriveExplanations, surveyOutputs } from '../ir/analysis/explanations/derive.js';
export { explain, targetGradient, type ExplainOptions, type ExplainResult, type ModelInputs } from './explain.js';
export { featureMaps, type FeatureMapsResult } from './features.js';
export {
  DEFAULT_BOX_THRESHOLD,
  mapToBox,
  mapToMask,
  type ComponentChoice,
  type LocaliseOptions,
  type MapMask,
} from './localise.js';
export { MAP_ORDERS, finishMaps, normalisePerImage, upsampleMaps, type MapOrder } from './maps.js';
export { acolFusedMap } from './methods/acol-fused.js';
export { channelCam, denseCam } from './methods/cam.js';
export { normaliseChannels } from './methods/feature-maps.js';
export { gradCamPlusPlus, gradCamPlusPlusWeights } from './methods/grad-cam-plus-plus.js';
export { gradCam, gradCamWeights, weightedChannelSum } from './methods/grad-cam.js';
export { layerCam } from './methods/layer-cam.js';
export type {
  AcolBranches,
  ExactCam,
  ExplanationPlan,
  ExplanationSurvey,
  OutputKind,
  SkippedOutput,
  TargetLayer,
} from '../ir/analysis/explanations/plan.js';
export { EXPLAIN_METHODS, type ExplainMethod } from './request.js';
export type { Region } from './selection.js';
