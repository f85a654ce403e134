/** Metrics over plain typed arrays: exact, and independent of any tensor backend. */
export {
  ConfusionMatrix,
  DEFAULT_IGNORE_LABEL,
  type ConfusionMatrixJson,
  type ConfusionMatrixOptions,
} from './confusion-matrix.js';
export {
  classAccuracy,
  classIoU,
  frequencyWeightedIoU,
  meanClassAccuracy,
  meanIgnoringNaN,
  meanIoU,
  nullIfNaN,
  pixelAccuracy,
  segmentationReport,
  type ClassScores,
  type SegmentationReport,
} from './segmentation.js';
export {
  ClassificationAccuracy,
  argmaxRows,
  rankOfLabel,
  topKAccuracy,
  topKCorrect,
  type ClassificationScores,
  type Logits,
} from './classification.js';
export { MultiLabelAccuracy, type MultiLabelClassScores, type MultiLabelScores } from './multi-label.js';
export { bestIoU, boxArea, boxIoU, maskBox, type Box, type BoxLike } from './boxes.js';
export { connectedComponents, type Component, type Components } from './components.js';
export {
  boxOfMask,
  mapMaximum,
  mapToBox,
  mapToBoxes,
  mapToMask,
  normaliseMap,
  type BoxMode,
  type CandidateMode,
  type ScoreMap,
} from './map-to-box.js';
export {
  BoxAccuracy,
  MAP_THRESHOLDS,
  MAP_THRESHOLDS_V2,
  MAX_BOX_ACC,
  MAX_BOX_ACC_V2,
  MAX_BOX_ACC_IOU,
  MAX_BOX_ACC_V2_IOU,
  boxAccuracy,
  localisationAccuracy,
  maxBoxAccuracy,
  maxBoxAccuracyV2,
  type BoxAccuracyOptions,
  type BoxAccuracyResult,
  type IoULevelResult,
  type LocalisationExample,
  type LocalisationRecord,
  type LocalisationScores,
} from './box-accuracy.js';
export {
  PixelPrecision,
  averagePrecisionSorted,
  pixelAveragePrecision,
  type PixelPrecisionOptions,
  type PixelPrecisionResult,
} from './pixel-precision.js';
export { PseudoMaskScores, type PseudoMaskQuality, type PseudoMaskQualityOptions } from './pseudo-mask-quality.js';
