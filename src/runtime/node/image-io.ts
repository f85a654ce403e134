/**
 * Image files in Node: PNG (pngjs) and JPEG (jpeg-js) in, PNG out. The format is recognised
 * by its signature bytes, not the file name. Problems with a file are diagnostics that name it.
 */
import { readFile } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { RuntimeCode } from '../codes.js';
import { fileSpan, runtimeError } from '../errors.js';
import { fromPixelBytes, resizeImage, toRgbaBytes, type RgbImage } from '../image.js';
import { writeFileAtomic } from './fs-atomic.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];
/** jpeg-js refuses larger images by default; this keeps a corrupt header from asking for gigabytes. */
const MAX_MEGAPIXELS = 100;

export type ImageFormat = 'png' | 'jpeg';

export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const startsWith = (signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  if (startsWith(PNG_SIGNATURE)) return 'png';
  if (startsWith(JPEG_SIGNATURE)) return 'jpeg';
  return undefined;
}

/** Decodes PNG or JPEG bytes to [1, H, W, 3] in [0, 1]; `path` names the source in errors. */
export function decodeImage(bytes: Uint8Array, path: string): RgbImage {
  const format = detectImageFormat(bytes);
  if (!format) {
    throw runtimeError(RuntimeCode.imageFormatUnsupported, `${path} is not a PNG or JPEG image`, {
      span: fileSpan(path), hint: 'convert it to PNG or JPEG (e.g. with ImageMagick: convert input output.png)',
    });
  }
  try {
    if (format === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return fromPixelBytes(png.data, png.width, png.height, 4);
    }
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS });
    return fromPixelBytes(image.data, image.width, image.height, 4);
  } catch (error) {
    throw runtimeError(RuntimeCode.imageCorrupt, `${path} looks like a ${format.toUpperCase()} but cannot be decoded: ${(error as Error).message}`, {
      span: fileSpan(path), hint: 'the file is damaged or truncated; export it again',
    });
  }
}

export async function readImage(path: string): Promise<RgbImage> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw runtimeError(RuntimeCode.imageNotFound, `cannot read image ${path} (${code ?? (error as Error).message})`, {
      span: fileSpan(path), hint: code === 'ENOENT' ? 'check the path' : 'check that it is a readable file',
    });
  }
  return decodeImage(bytes, path);
}

/** Reads an image and resizes it (bilinear, half-pixel centres) to the model's input size. */
export async function readImageResized(path: string, height: number, width: number): Promise<RgbImage> {
  const image = await readImage(path);
  if (image.shape[1] === height && image.shape[2] === width) return image;
  const resized = resizeImage(image, height, width);
  image.dispose();
  return resized;
}

export function encodePng(image: RgbImage): Uint8Array {
  const { data, width, height } = toRgbaBytes(image);
  const png = new PNG({ width, height });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(PNG.sync.write(png));
}

/** Writes [1, H, W, 3] in [0, 1] as an 8-bit PNG, atomically. */
export async function writePng(path: string, image: RgbImage): Promise<void> {
  await writeFileAtomic(path, encodePng(image));
}
