/**
 * `generateDataset`: writes a generated data set in the layouts the loader reads, entirely
 * determined by the options (same seed, same bytes). Layouts:
 *  - shapes, mnist-canvas: `<split>/images/NNNNN.png`, `<split>/masks/NNNNN.png` (palette
 *    PNG), `<split>/images/boxes.json`, `<split>/images/labels.json`;
 *  - mnist: `<split>/<digit>/NNNNN.png` (28×28 grey) and `<split>/classes.json`;
 * with `classes.json` and `dataset.json` (how it was made) at the top.
 */
import { type DigitPick, assignDigits } from '../generate/digits.js';
import {
  DIGIT_CLASSES,
  DIGIT_MASK_CLASSES,
  type DigitSource,
  MNIST_SIDE,
  generateCanvasImage,
} from '../generate/mnist-canvas.js';
import { type DatasetKind, type GenerateOptions, type ResolvedOptions, resolveOptions } from '../generate/options.js';
import { SHAPE_CLASSES } from '../generate/geometry.js';
import { generateShapesImage } from '../generate/shapes.js';
import { imageName, imageSeed, splitCounts } from '../generate/splits.js';
import { vocPalette } from '../../runtime/image.js';
import { Random } from '../random.js';
import type { LabelledBox } from '../sample.js';
import { type FolderWriter, writeFolderAtomically } from './atomic-folder.js';
import { encodeRgbPng } from './codecs.js';
import { loadMnistDigits } from './mnist-source.js';
import { writeIndexedPng } from './png-indexed.js';

export const DATASET_FORMAT = 'segc-dataset';
export const DATASET_FORMAT_VERSION = 1;

export interface GenerateResult {
  readonly kind: DatasetKind;
  readonly outDir: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly classes: readonly string[];
  readonly maskClasses?: readonly string[];
}

/** One image as the segmentation layout stores it. */
interface LayoutImage {
  readonly image: Float32Array;
  readonly size: number;
  readonly mask: Uint8Array;
  readonly boxes: readonly LabelledBox[];
  readonly labels: { readonly label: number; readonly labels?: readonly number[] };
}

type Picks = Readonly<Record<string, readonly DigitPick[]>>;

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** One line per image, so annotation files stay readable and diff well. */
function annotationJson(entries: Readonly<Record<string, unknown>>): string {
  const lines = Object.entries(entries).map(([name, value]) => `  ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
  return lines.length === 0 ? '{}\n' : `{\n${lines.join(',\n')}\n}\n`;
}

/** Writes one split of the segmentation layout, image by image, then its annotations. */
async function writeSegmentationSplit(
  writer: FolderWriter,
  split: string,
  count: number,
  make: (index: number) => LayoutImage,
): Promise<void> {
  const palette = vocPalette();
  const boxes: Record<string, readonly LabelledBox[]> = {};
  const labels: Record<string, LayoutImage['labels']> = {};
  for (let index = 0; index < count; index++) {
    const name = imageName(index, count);
    const generated = make(index);
    await writer.write(`${split}/images/${name}`, encodeRgbPng(generated.image, generated.size, generated.size));
    await writer.write(
      `${split}/masks/${name}`,
      writeIndexedPng(generated.mask, generated.size, generated.size, palette),
    );
    boxes[name] = generated.boxes;
    labels[name] = generated.labels;
  }
  await writer.write(`${split}/images/boxes.json`, annotationJson(boxes));
  await writer.write(`${split}/images/labels.json`, annotationJson(labels));
}

async function writeShapes(
  writer: FolderWriter,
  options: ResolvedOptions,
  counts: Record<string, number>,
): Promise<void> {
  for (const [split, count] of Object.entries(counts)) {
    await writeSegmentationSplit(writer, split, count, (index) => {
      const generated = generateShapesImage(options, new Random(imageSeed(options.seed, split, index)));
      return { ...generated, size: options.size, labels: { label: generated.label, labels: generated.labels } };
    });
  }
  await writer.write('classes.json', json(SHAPE_CLASSES));
}

async function writeCanvas(
  writer: FolderWriter,
  options: ResolvedOptions,
  counts: Record<string, number>,
  digits: DigitSource,
  picks: Picks,
): Promise<void> {
  for (const [split, count] of Object.entries(counts)) {
    await writeSegmentationSplit(writer, split, count, (index) => {
      const { digit, index: sample } = picks[split]![index]!;
      const generated = generateCanvasImage(
        digits.pixels(digit, sample),
        digit,
        options,
        new Random(imageSeed(options.seed, split, index)),
      );
      return { ...generated, size: options.size, labels: { label: digit } };
    });
  }
  await writer.write('classes.json', json({ classes: DIGIT_CLASSES, maskClasses: DIGIT_MASK_CLASSES }));
}

async function writeMnist(
  writer: FolderWriter,
  counts: Record<string, number>,
  digits: DigitSource,
  picks: Picks,
): Promise<void> {
  for (const [split, count] of Object.entries(counts)) {
    for (const [index, { digit, index: sample }] of picks[split]!.entries()) {
      const grey = Uint8Array.from(digits.pixels(digit, sample), (value) =>
        Math.round(Math.min(1, Math.max(0, value)) * 255),
      );
      await writer.write(
        `${split}/${DIGIT_CLASSES[digit]}/${imageName(index, count)}`,
        writeIndexedPng(grey, MNIST_SIDE, MNIST_SIDE),
      );
    }
    await writer.write(`${split}/classes.json`, json(DIGIT_CLASSES));
  }
  await writer.write('classes.json', json(DIGIT_CLASSES));
}

function describeRun(kind: DatasetKind, options: ResolvedOptions, counts: Record<string, number>): unknown {
  const used =
    kind === 'shapes'
      ? { size: options.size, shapesPerImage: options.shapesPerImage }
      : kind === 'mnist-canvas'
        ? { size: options.size, scale: options.scale, noise: options.noise }
        : {};
  return {
    format: DATASET_FORMAT,
    version: DATASET_FORMAT_VERSION,
    kind,
    seed: options.seed,
    count: options.count,
    splits: options.splits,
    counts,
    ...used,
  };
}

/** Generates a data set into `outDir` (written to a temporary folder, then renamed into place). */
export async function generateDataset(
  kind: DatasetKind,
  outDir: string,
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  const resolved = resolveOptions(kind, options);
  const counts = splitCounts(resolved.count, resolved.splits);
  const digits = kind === 'shapes' ? undefined : await loadMnistDigits();
  // Drawn before anything is written, so a count larger than MNIST fails without a trace on disk.
  const picks = digits && assignDigits(digits, counts, resolved.seed);
  await writeFolderAtomically(outDir, options.overwrite ?? false, async (writer) => {
    if (kind === 'shapes') await writeShapes(writer, resolved, counts);
    else if (kind === 'mnist-canvas') await writeCanvas(writer, resolved, counts, digits!, picks!);
    else await writeMnist(writer, counts, digits!, picks!);
    await writer.write('dataset.json', json(describeRun(kind, resolved, counts)));
  });
  if (kind === 'shapes') return { kind, outDir, counts, classes: SHAPE_CLASSES, maskClasses: SHAPE_CLASSES };
  return {
    kind,
    outDir,
    counts,
    classes: DIGIT_CLASSES,
    ...(kind === 'mnist-canvas' ? { maskClasses: DIGIT_MASK_CLASSES } : {}),
  };
}
