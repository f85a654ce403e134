/**
 * Data sets on disk. Opening scans the folders (no image is decoded); each sample is read and
 * checked only when it is loaded: the image must decode, the mask must decode, match the
 * image's size and hold only known classes or 255, and boxes must lie inside the image.
 */
import { readFile } from 'node:fs/promises';
import { type BadFilePolicy, type Dataset, type SampleSource, createDataset } from '../dataset.js';
import { dataProblem } from '../problems.js';
import { IGNORE_LABEL, type LabelledBox, type Sample } from '../sample.js';
import { type DecodedImage, type DecodedMask, decodeImage, decodeMask } from './codecs.js';
import { type FileEntry, type ScanOptions, scanDataset } from './layout.js';
import { codes } from '../../diagnostics/codes.js';

export interface OpenDatasetOptions extends ScanOptions {
  readonly onBadFile?: BadFilePolicy;
}

export async function openDataset(root: string, options: OpenDatasetOptions = {}): Promise<Dataset> {
  const scanned = await scanDataset(root, options);
  const source: SampleSource = {
    root,
    layout: scanned.layout,
    classes: scanned.classes,
    maskClasses: scanned.maskClasses,
    ids: scanned.entries.map((entry) => entry.id),
    load: (index) => loadEntry(scanned.entries[index]!, scanned.maskClasses.length),
  };
  return createDataset(source, { onBadFile: options.onBadFile ?? 'stop', problems: scanned.problems });
}

async function readBytes(file: string, code: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    throw dataProblem(code, file, `cannot read the ${what} ${file}: ${(error as Error).message}`);
  }
}

async function loadImage(file: string): Promise<DecodedImage> {
  const bytes = await readBytes(file, codes.unreadableImage, 'image');
  try {
    return decodeImage(bytes);
  } catch (error) {
    throw dataProblem(
      codes.unreadableImage,
      file,
      `the image ${file} does not decode: ${(error as Error).message}`,
      'images must be PNG or JPEG files',
    );
  }
}

async function loadMask(file: string): Promise<DecodedMask> {
  const bytes = await readBytes(file, codes.unreadableMask, 'mask');
  try {
    return decodeMask(bytes);
  } catch (error) {
    throw dataProblem(
      codes.unreadableMask,
      file,
      `the mask ${file} does not decode: ${(error as Error).message}`,
      'masks are 8-bit grey or palette PNGs of class indices (or colour PNGs with the index in red)',
    );
  }
}

function checkMask(mask: DecodedMask, image: DecodedImage, file: string, classes: number): void {
  if (mask.height !== image.height || mask.width !== image.width) {
    throw dataProblem(
      codes.maskSizeMismatch,
      file,
      `the mask ${file} is ${mask.height}×${mask.width} but its image is ${image.height}×${image.width}`,
      'masks must have exactly the size of their image',
    );
  }
  let bad = 0;
  let first = -1;
  mask.values.forEach((value, index) => {
    if (value < classes || value === IGNORE_LABEL) return;
    bad += 1;
    if (first < 0) first = index;
  });
  if (bad === 0) return;
  const x = first % mask.width;
  const y = (first - x) / mask.width;
  throw dataProblem(
    codes.maskClassOutOfRange,
    file,
    `the mask ${file} has class ${mask.values[first]} at x=${x}, y=${y} (${bad} such pixels), outside [0, ${classes}) and not the ignore label ${IGNORE_LABEL}`,
    'list every class in classes.json, or mark pixels to ignore with 255',
  );
}

function checkBoxes(boxes: readonly LabelledBox[], image: DecodedImage, entry: FileEntry): void {
  const outside = boxes.find(([, , x1, y1]) => x1 > image.width || y1 > image.height);
  if (!outside) return;
  const file = entry.boxesFile ?? entry.image;
  throw dataProblem(
    codes.badBox,
    file,
    `${file}: the box ${JSON.stringify(outside)} of ${entry.id} reaches outside the ${image.height}×${image.width} image`,
    'boxes are half-open: x1 ≤ width and y1 ≤ height',
  );
}

async function loadEntry(entry: FileEntry, maskClasses: number): Promise<Sample> {
  const image = await loadImage(entry.image);
  let mask: DecodedMask | undefined;
  if (entry.mask) {
    mask = await loadMask(entry.mask);
    checkMask(mask, image, entry.mask, maskClasses);
  }
  if (entry.boxes) checkBoxes(entry.boxes, image, entry);
  return {
    id: entry.id,
    image: image.data,
    height: image.height,
    width: image.width,
    ...(mask ? { mask: mask.values } : {}),
    ...(entry.label !== undefined ? { label: entry.label } : {}),
    ...(entry.labels ? { labels: entry.labels } : {}),
    ...(entry.boxes ? { boxes: entry.boxes } : {}),
  };
}
