/**
 * Diagnostic codes raised by the runtime. A code never changes meaning once published.
 * E0400–E0419: weight files. E05xx: backends and kernels. E06xx: images.
 */
export const RuntimeCode = {
  /** No model.json where the weights were looked for, or it cannot be read. */
  weightsNotFound: 'E0400',
  /** model.json is not JSON or lacks the tfjs / segc fields. */
  malformedManifest: 'E0401',
  /** The model declares a weight the file does not have. */
  missingWeight: 'E0402',
  /** The file has a weight the model does not declare. */
  extraWeight: 'E0403',
  /** Same name, different shape. */
  wrongShape: 'E0404',
  /** Same name, different dtype. */
  wrongDtype: 'E0405',
  /** A shard named in model.json is absent. */
  missingShard: 'E0406',
  /** A shard is shorter or longer than model.json records. */
  wrongShardSize: 'E0407',
  /** A shard's SHA-256 differs from the one model.json records. */
  checksumMismatch: 'E0408',
  /** The same weight name appears twice in model.json. */
  duplicateWeight: 'E0409',
  /** Weights could not be written. */
  weightsNotWritten: 'E0410',
  /** A weight holds NaN or infinite values, or a batch-norm variance below zero. */
  badWeightValues: 'E0411',
  /** An input to predict that is not a tensor, was disposed, or has the wrong dtype; or a disposed model. */
  inputUnusable: 'E0424',
  /** A requested backend cannot start. */
  backendUnavailable: 'E0501',
  /** Dilation > 1 together with stride > 1 (TensorFlow rejects it too). */
  strideWithDilation: 'E0510',
  /** The input is smaller than the dilated kernel under 'valid' padding. */
  inputSmallerThanKernel: 'E0511',
  /** The image file cannot be read. */
  imageNotFound: 'E0601',
  /** The image is not a PNG or JPEG. */
  imageFormatUnsupported: 'E0602',
  /** The image claims to be PNG or JPEG but does not decode. */
  imageCorrupt: 'E0603',
  /** An image or other output file could not be written. */
  fileNotWritten: 'E0604',
  /** An image with no pixels, or more pixels or bytes than the limits allow. */
  imageSizeRefused: 'E0605',
  /** A tensor file (`--input FILE.npy`) cannot be read or is not a .npy array. */
  tensorUnreadable: 'E0606',
} as const;

export type RuntimeCodeName = keyof typeof RuntimeCode;
