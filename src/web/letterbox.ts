/**
 * Images of any shape on a model of fixed input size, without squashing: the image is scaled to
 * fit (aspect ratio kept, bilinear) and centred on a grey canvas, as detectors letterbox their
 * inputs; what the model says about the image's own pixels is cut back out with `cropToBox`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { resizeImage, type RgbImage } from '../runtime/image.js';

/** Where the image sits inside the model's input, in input pixels. */
export interface Box {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/** Mid grey, the usual letterbox fill: far from the colours of any class. */
export const LETTERBOX_FILL = 0.5;

/** The image scaled to fit `height`×`width` and centred; a new tensor, and where it landed. */
export function letterbox(
  image: RgbImage,
  height: number,
  width: number,
  fill = LETTERBOX_FILL,
): { image: RgbImage; box: Box } {
  const [, imageHeight, imageWidth] = image.shape;
  const box = fitBox(imageHeight, imageWidth, height, width);
  const placed = tf.tidy(() => {
    const scaled =
      box.height === imageHeight && box.width === imageWidth
        ? tf.clone(image)
        : resizeImage(image, box.height, box.width);
    const paddings: [number, number][] = [
      [0, 0],
      [box.top, height - box.height - box.top],
      [box.left, width - box.width - box.left],
      [0, 0],
    ];
    return tf.pad(scaled, paddings, fill) as RgbImage;
  });
  return { image: placed, box };
}

/** The largest box of the image's aspect ratio inside the target, centred (rounded to pixels). */
export function fitBox(imageHeight: number, imageWidth: number, height: number, width: number): Box {
  const scale = Math.min(height / imageHeight, width / imageWidth);
  const boxHeight = Math.min(height, Math.max(1, Math.round(imageHeight * scale)));
  const boxWidth = Math.min(width, Math.max(1, Math.round(imageWidth * scale)));
  return {
    top: Math.floor((height - boxHeight) / 2),
    left: Math.floor((width - boxWidth) / 2),
    height: boxHeight,
    width: boxWidth,
  };
}

/** The part of a model-sized picture (an overlay, a map) that shows the image; a new tensor. */
export function cropToBox(picture: RgbImage, box: Box): RgbImage {
  return tf.slice(picture, [0, box.top, box.left, 0], [1, box.height, box.width, -1]) as RgbImage;
}

/** The image scaled down (never up) so that its longer side is at most `longest` pixels. */
export function shrinkToFit(image: RgbImage, longest: number): RgbImage {
  const [, height, width] = image.shape;
  const scale = Math.min(1, longest / Math.max(height, width));
  if (scale === 1) return tf.clone(image);
  return resizeImage(image, Math.max(1, Math.round(height * scale)), Math.max(1, Math.round(width * scale)));
}
