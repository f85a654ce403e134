/**
 * Diagnostic codes raised by data sets and generators. A code never changes meaning once published.
 * E080x: the data set as a whole. E081x: single files. E082x: batching. E083x: generators.
 */
export const DataCode = {
  /** The data set folder does not exist or is not a folder. */
  rootNotFound: 'E0801',
  /** Neither `images/` nor class folders were found. */
  layoutUnknown: 'E0802',
  /** classes.json, boxes.json or labels.json is not valid or does not fit the data set. */
  badMetadata: 'E0803',
  /** A class folder is missing from classes.json. */
  classNotListed: 'E0804',
  /** The data set holds no usable sample. */
  empty: 'E0805',
  /** An image cannot be read or decoded. */
  unreadableImage: 'E0811',
  /** An image has no mask beside it. */
  missingMask: 'E0812',
  /** A mask cannot be read, decoded, or uses a PNG form masks may not use. */
  unreadableMask: 'E0813',
  /** A mask's size differs from its image's. */
  maskSizeMismatch: 'E0814',
  /** A mask holds a class index outside the class list that is not the ignore label 255. */
  maskClassOutOfRange: 'E0815',
  /** A box lies outside its image, is empty, or names an unknown class. */
  badBox: 'E0816',
  /** Samples of one batch have different sizes. */
  batchSizeMismatch: 'E0821',
  /** A generator or iteration option is invalid. */
  badOption: 'E0831',
  /** The output folder exists and overwriting was not asked for. */
  outputExists: 'E0832',
  /** The data set could not be written. */
  notWritten: 'E0833',
  /** The MNIST digits shipped with the `mnist` package cannot be found or read. */
  mnistUnavailable: 'E0834',
} as const;

export type DataCodeName = keyof typeof DataCode;
