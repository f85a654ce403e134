/**
 * Image and mask files. Images (PNG or JPEG, told apart by their first bytes, not the file
 * name) become float RGB in [0, 1]; alpha is dropped and grey is copied to all three
 * channels. Masks must be PNG: palette and grey files give their stored values, colour files
 * their red channel.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { MAX_IMAGE_PIXELS } from '../../limits.js';
import { imageHeaderSize } from '../../runtime/image-header.js';
import { PNG_GREY, PNG_PALETTE, readIndexedPng, readPngHeader } from './png-indexed.js';

export interface DecodedImage {
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
}

export interface DecodedMask {
  readonly values: Uint8Array;
  readonly height: number;
  readonly width: number;
}

export type ImageFormat = 'png' | 'jpeg';

export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** The header's size must have pixels and stay within MAX_IMAGE_PIXELS, checked before decoding. */
function refuseSize(bytes: Uint8Array, format: ImageFormat): void {
  const size = imageHeaderSize(bytes, format);
  if (!size) return;
  const pixels = size.width * size.height;
  if (pixels === 0 || pixels > MAX_IMAGE_PIXELS) {
    throw new Error(
      `its header says ${size.width}×${size.height} pixels; images must have between 1 and ${MAX_IMAGE_PIXELS} (docs/limits.md)`,
    );
  }
}

/** RGBA bytes to float RGB; throws Error when the bytes are neither PNG nor JPEG or do not decode. */
export function decodeImage(bytes: Uint8Array): DecodedImage {
  const format = sniffFormat(bytes);
  if (!format) throw new Error('neither a PNG nor a JPEG file');
  refuseSize(bytes, format);
  const { data, width, height } =
    format === 'png'
      ? PNG.sync.read(Buffer.from(bytes))
      : jpeg.decode(bytes, {
          useTArray: true,
          formatAsRGBA: true,
          maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
          maxMemoryUsageInMB: 1024,
        });
  const rgb = new Float32Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel++) {
    for (let c = 0; c < 3; c++) rgb[pixel * 3 + c] = data[pixel * 4 + c]! / 255;
  }
  return { data: rgb, height, width };
}

export function decodeMask(bytes: Uint8Array): DecodedMask {
  if (sniffFormat(bytes) !== 'png')
    throw new Error('masks must be PNG files (JPEG compression would change class indices)');
  refuseSize(bytes, 'png');
  const header = readPngHeader(bytes);
  if (header.bitDepth === 16) throw new Error('16-bit masks are not supported');
  const single = header.colourType === PNG_GREY || header.colourType === PNG_PALETTE;
  if (single && !header.interlaced) {
    const { values, width, height } = readIndexedPng(bytes);
    return { values, width, height };
  }
  if (header.colourType === PNG_PALETTE) throw new Error('interlaced palette masks are not supported');
  if (header.colourType === PNG_GREY && header.bitDepth !== 8)
    throw new Error('interlaced grey masks must have 8 bits per pixel');
  const { data, width, height } = PNG.sync.read(Buffer.from(bytes));
  const values = new Uint8Array(width * height);
  for (let pixel = 0; pixel < values.length; pixel++) values[pixel] = data[pixel * 4]!;
  return { values, width, height };
}

/** An 8-bit RGB PNG; values are rounded to the nearest of 256 levels. */
export function encodeRgbPng(image: Float32Array, height: number, width: number): Buffer {
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(Uint8Array.from(image, (value) => Math.round(Math.min(1, Math.max(0, value)) * 255)));
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}
