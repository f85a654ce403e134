/** Data sets on disk (Node only): opening folders, decoding files, generating data sets. */
export { openDataset, type OpenDatasetOptions } from './dataset.js';
export { IMAGE_EXTENSIONS, scanDataset, type FileEntry, type ScanOptions, type ScannedDataset } from './layout.js';
export {
  decodeImage,
  decodeMask,
  encodeRgbPng,
  sniffFormat,
  type DecodedImage,
  type DecodedMask,
  type ImageFormat,
} from './codecs.js';
export { readIndexedPng, readPngHeader, writeIndexedPng, type IndexedPng, type PngHeader } from './png-indexed.js';
export { loadMnistDigits, mnistDigitFolder } from './mnist-source.js';
export { writeFolderAtomically, type FolderWriter } from './atomic-folder.js';
export { DATASET_FORMAT, DATASET_FORMAT_VERSION, generateDataset, type GenerateResult } from './write-dataset.js';
