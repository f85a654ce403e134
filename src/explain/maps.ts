/**
 * Turning raw class maps into displayable ones: bilinear upsampling to the input size
 * (alignCorners false, half-pixel centres, as `upsample(mode: bilinear)` does) and min-max
 * normalisation to [0, 1] per image. By default the map is upsampled first, so that the
 * normalised map reaches exactly 0 and 1 at input resolution; `normalize-first` normalises at
 * the layer's resolution, where bilinear interpolation keeps values inside [0, 1].
 */
import * as tf from '@tensorflow/tfjs-core';

export type MapOrder = 'upsample-first' | 'normalize-first';

export const MAP_ORDERS: readonly MapOrder[] = ['upsample-first', 'normalize-first'];

/** (x − min) / (max − min) with min and max taken over `axes`; a constant slice becomes all zeros. */
export function normaliseOver<T extends tf.Tensor>(values: T, axes: readonly number[]): T {
  return tf.tidy(() => {
    const low = tf.min(values, [...axes], true);
    const range = tf.sub(tf.max(values, [...axes], true), low);
    const positive = tf.greater(range, 0);
    const safeRange = tf.where(positive, range, tf.onesLike(range));
    return tf.where(
      tf.broadcastTo(positive, values.shape),
      tf.div(tf.sub(values, low), safeRange),
      tf.zerosLike(values),
    ) as T;
  });
}

/** Min-max normalisation of each image's [h, w] map. */
export function normalisePerImage(maps: tf.Tensor3D): tf.Tensor3D {
  return normaliseOver(maps, [1, 2]);
}

/** Bilinear resize of [N, h, w] maps to [N, height, width]. */
export function upsampleMaps(maps: tf.Tensor3D, size: readonly [number, number]): tf.Tensor3D {
  if (maps.shape[1] === size[0] && maps.shape[2] === size[1]) return tf.clone(maps);
  return tf.tidy(() => {
    const resized = tf.image.resizeBilinear(tf.expandDims(maps, 3) as tf.Tensor4D, [size[0], size[1]], false, true);
    return tf.squeeze(resized, [3]) as tf.Tensor3D;
  });
}

export function finishMaps(
  raw: tf.Tensor3D,
  size: readonly [number, number],
  order: MapOrder = 'upsample-first',
): tf.Tensor3D {
  return tf.tidy(() =>
    order === 'upsample-first'
      ? normalisePerImage(upsampleMaps(raw, size))
      : upsampleMaps(normalisePerImage(raw), size),
  );
}

/** Channel `classes[n]` of image n: [N, h, w, C] → [N, h, w]. */
export function pickClassChannels(maps: tf.Tensor4D, classes: readonly number[]): tf.Tensor3D {
  return tf.tidy(() => {
    const [count, , , channels] = maps.shape;
    if (channels === 1) return tf.squeeze(maps, [3]) as tf.Tensor3D;
    const pick = tf.reshape(tf.oneHot(tf.tensor1d([...classes], 'int32'), channels), [count, 1, 1, channels]);
    return tf.sum(tf.mul(maps, pick), 3) as tf.Tensor3D;
  });
}
