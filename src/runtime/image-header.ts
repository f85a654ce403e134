/**
 * An image's size from its header, read before anything is decoded: a few hundred bytes of PNG
 * can claim 20000 × 20000 pixels, and a decoder would allocate gigabytes for them before
 * noticing that the data is missing. Browser-safe; decoding itself is in `node/image-io.ts`.
 */
import type { Span } from '../diagnostics/diagnostic.js';
import { MAX_IMAGE_PIXELS } from '../limits.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError, fileSpan } from '../diagnostics/error.js';

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** PNG: the IHDR chunk must come first; width and height are its first two big-endian words. */
function pngSize(bytes: Uint8Array): ImageSize | undefined {
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** JPEG start-of-frame markers (baseline, progressive, lossless, arithmetic): C0–CF but C4, C8, CC. */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** JPEG: walks the marker segments up to the first start-of-frame, which holds the size. */
function jpegSize(bytes: Uint8Array): ImageSize | undefined {
  let offset = 2;
  while (offset + 9 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset++;
      continue;
    }
    const length = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    if (isStartOfFrame(marker)) {
      return {
        height: (bytes[offset + 5]! << 8) | bytes[offset + 6]!,
        width: (bytes[offset + 7]! << 8) | bytes[offset + 8]!,
      };
    }
    if (length < 2) return undefined;
    offset += 2 + length;
  }
  return undefined;
}

/** The size a PNG or JPEG header declares, or undefined when the header cannot be read. */
export function imageHeaderSize(bytes: Uint8Array, format: 'png' | 'jpeg'): ImageSize | undefined {
  return format === 'png' ? pngSize(bytes) : jpegSize(bytes);
}

/** Refuses an image whose header declares no pixels, or more than MAX_IMAGE_PIXELS. */
export function checkImageSize(size: ImageSize, path: string): void {
  const { width, height } = size;
  if (width === 0 || height === 0) {
    throw diagnosticError(codes.imageSizeRefused, `${path} has no pixels: its header says ${width}×${height}`, {
      span: fileSpan(path),
      hint: 'the file is damaged or was written empty; export it again',
    });
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    throw diagnosticError(
      codes.imageSizeRefused,
      `${path} is ${width}×${height} pixels, more than the limit of ${MAX_IMAGE_PIXELS} pixels (4096×4096)`,
      {
        span: fileSpan(path),
        hint: 'scale it down first; the model sees it resized to its input size anyway',
      },
    );
  }
}

/** Refuses a model input size (rows × columns an image is resized to) above MAX_IMAGE_PIXELS. */
export function checkInputSize(rows: number, columns: number, model: string, declaredAt?: Span): void {
  if (rows * columns <= MAX_IMAGE_PIXELS) return;
  throw diagnosticError(
    codes.imageSizeRefused,
    `the input of \`${model}\` would be ${rows}×${columns} pixels, more than the limit of ${MAX_IMAGE_PIXELS} pixels (4096×4096)`,
    {
      hint: 'declare a smaller input size, or give a smaller --input',
      ...(declaredAt ? { span: declaredAt } : {}),
    },
  );
}
