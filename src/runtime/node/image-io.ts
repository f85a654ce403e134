/**
 * Image files in Node: PNG (pngjs) and JPEG (jpeg-js) in, PNG out. The format is recognised
 * by its signature bytes, not the file name. Problems with a file are diagnostics that name it.
 */
import { open } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS } from '../../limits.js';
import { checkImageSize, imageHeaderSize } from '../image-header.js';
import { fromPixelBytes, readRgbaBytes, resizeImage, type RgbImage } from '../image.js';
import { writeFileAtomic } from './fs-atomic.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError, fileSpan } from '../../diagnostics/error.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

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
    throw diagnosticError(codes.imageFormatUnsupported, `${path} is not a PNG or JPEG image`, {
      span: fileSpan(path),
      hint: 'convert it to PNG or JPEG (e.g. with ImageMagick: convert input output.png)',
    });
  }
  const size = imageHeaderSize(bytes, format);
  if (size) checkImageSize(size, path);
  try {
    if (format === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      checkImageSize(png, path);
      return fromPixelBytes(png.data, png.width, png.height, 4);
    }
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: 1024,
    });
    checkImageSize(image, path);
    return fromPixelBytes(image.data, image.width, image.height, 4);
  } catch (error) {
    if ((error as { diagnostics?: unknown }).diagnostics) throw error;
    throw diagnosticError(
      codes.imageCorrupt,
      `${path} looks like a ${format.toUpperCase()} but cannot be decoded: ${(error as Error).message}`,
      {
        span: fileSpan(path),
        hint: 'the file is damaged or truncated; export it again',
      },
    );
  }
}

export async function readImage(path: string): Promise<RgbImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readImageFile(path);
  } catch (error) {
    if ((error as { diagnostics?: unknown }).diagnostics) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw diagnosticError(codes.imageNotFound, `cannot read image ${path} (${code ?? (error as Error).message})`, {
      span: fileSpan(path),
      hint: code === 'ENOENT' ? 'check the path' : 'check that it is a readable file',
    });
  }
  return decodeImage(bytes, path);
}

/** A regular file of at most MAX_IMAGE_FILE_BYTES: never a device, a FIFO or a folder. */
async function readImageFile(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw diagnosticError(codes.imageNotFound, `cannot read image ${path}: it is not a regular file`, {
        span: fileSpan(path),
        hint: 'give the path of a PNG or JPEG file',
      });
    }
    if (info.size > MAX_IMAGE_FILE_BYTES) {
      throw diagnosticError(
        codes.imageSizeRefused,
        `${path} has ${info.size} bytes, more than the limit of ${MAX_IMAGE_FILE_BYTES} for an image file`,
        {
          span: fileSpan(path),
          hint: 'scale it down or compress it first',
        },
      );
    }
    return new Uint8Array(await handle.readFile());
  } finally {
    await handle.close();
  }
}

/** Reads an image and resizes it (bilinear, half-pixel centres) to the model's input size. */
export async function readImageResized(path: string, height: number, width: number): Promise<RgbImage> {
  const image = await readImage(path);
  if (image.shape[1] === height && image.shape[2] === width) return image;
  const resized = resizeImage(image, height, width);
  image.dispose();
  return resized;
}

/** [1, H, W, 3] in [0, 1] as 8-bit PNG bytes (read asynchronously, so WebGPU works too). */
export async function encodePng(image: RgbImage): Promise<Uint8Array> {
  const { data, width, height } = await readRgbaBytes(image);
  const png = new PNG({ width, height });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(PNG.sync.write(png));
}

/** Writes [1, H, W, 3] in [0, 1] as an 8-bit PNG, atomically. */
export async function writePng(path: string, image: RgbImage): Promise<void> {
  await writeFileAtomic(path, await encodePng(image));
}
