/**
 * Data sets, augmentation, batching and generators that run anywhere (no Node built-ins).
 * Reading and writing data sets on disk: src/data/node/index.ts.
 */
export { IGNORE_LABEL, type Batch, type DataProblem, type LabelledBox, type Layout, type Sample } from './sample.js';
export { DataProblemError, dataProblem, problemDiagnostic } from './problems.js';
export { Random, deriveSeed, hashString, permutation } from './random.js';
export { flipColumns, resizeWindow, sampleBilinear, sampleNearest, type Raster, type Window } from './resample.js';
export {
  DEFAULT_SCALE_RANGE,
  augmentSample,
  checkAugmentOptions,
  flipSample,
  randomCropWindow,
  resampleSample,
  resizeSample,
  type AugmentOptions,
  type CropOptions,
} from './augment.js';
export { batchSamples, stackSamples, type BatchOptions } from './batch.js';
export {
  createDataset,
  epochOrder,
  sampleRandom,
  type BadFilePolicy,
  type Dataset,
  type DatasetOptions,
  type IterationOptions,
  type SampleSource,
} from './dataset.js';
export { SHAPE_CLASSES, SHAPE_KINDS, type Shape, type ShapeKind } from './generate/geometry.js';
export { generateShapesImage, type GeneratedImage, type ShapesImageOptions } from './generate/shapes.js';
export {
  DIGIT_CLASSES,
  DIGIT_MASK_CLASSES,
  INK_THRESHOLD,
  MNIST_SIDE,
  STROKE_THRESHOLD,
  generateCanvasImage,
  scaleDigit,
  type CanvasImage,
  type CanvasOptions,
  type DigitSource,
} from './generate/mnist-canvas.js';
export { assignDigits, type DigitPick } from './generate/digits.js';
export {
  DATASET_KINDS,
  resolveOptions,
  type DatasetKind,
  type GenerateOptions,
  type ResolvedOptions,
} from './generate/options.js';
export { imageName, imageSeed, splitCounts, type SplitFractions } from './generate/splits.js';
export { shapesSource, type ShapesSourceOptions } from './generate/sources.js';
export {
  REFINE_DEFAULTS,
  backgroundMap,
  randomWalk,
  refinedPseudoMask,
  transitionMatrix,
  walkStep,
  type RandomWalkOptions,
  type RefineClassMap,
  type RefineImage,
  type RefineOptions,
  type Transition,
} from './pseudo-mask-refine.js';
