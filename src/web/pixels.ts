/**
 * Images in and out of a page. Decoding goes through `createImageBitmap` with colour-space
 * conversion and alpha premultiplication turned off, so a PNG yields the same bytes it yields
 * to a PNG decoder in Node and a page and the CLI feed the model the same numbers. Reading
 * pixels back uses `await data()`, since synchronous reads are not available on WebGPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fromPixelBytes, type RgbImage } from '../runtime/image.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError, fileSpan } from '../diagnostics/error.js';

function pixelsOf(bitmap: ImageBitmap): Uint8Array {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw diagnosticError(codes.imageCorrupt, 'this browser gave no 2-D canvas to read the image with');
  context.drawImage(bitmap, 0, 0);
  const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height, { colorSpace: 'srgb' });
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Decodes an image file (PNG, JPEG, or whatever the browser reads) to [1, H, W, 3] in [0, 1]; alpha is dropped. */
export async function decodeImageBlob(blob: Blob, source: string): Promise<RgbImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw diagnosticError(codes.imageFormatUnsupported, `${source} is not an image this browser can decode`, {
      span: fileSpan(source),
      hint: 'choose a PNG or JPEG file',
    });
  }
  try {
    return fromPixelBytes(pixelsOf(bitmap), bitmap.width, bitmap.height, 4);
  } finally {
    bitmap.close();
  }
}

export async function fetchImage(url: string | URL): Promise<RgbImage> {
  const address = String(url);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw diagnosticError(codes.imageNotFound, `cannot fetch ${address}: ${(error as Error).message}`, {
      span: fileSpan(address),
    });
  }
  if (!response.ok)
    throw diagnosticError(codes.imageNotFound, `cannot fetch ${address}: HTTP ${response.status}`, {
      span: fileSpan(address),
      hint: 'check the address',
    });
  return decodeImageBlob(await response.blob(), address);
}

/** [1, H, W, 3] floats in [0, 1] → opaque RGBA bytes for a canvas, rounding to nearest. */
export async function toImageData(image: RgbImage): Promise<ImageData> {
  const [, height, width] = image.shape;
  const scaled = tf.tidy(() => tf.round(tf.mul(tf.clipByValue(image, 0, 1), 255)));
  const values = await scaled.data();
  scaled.dispose();
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let pixel = 0; pixel < width * height; pixel++) {
    rgba.set([values[pixel * 3]!, values[pixel * 3 + 1]!, values[pixel * 3 + 2]!, 255], pixel * 4);
  }
  return new ImageData(rgba, width, height);
}
