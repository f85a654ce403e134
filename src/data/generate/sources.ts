/**
 * Generated data sets held in memory instead of on disk (browsers, quick experiments): the
 * same images as the written data set with the same seed, produced when a sample is loaded.
 */
import type { SampleSource } from '../dataset.js';
import { Random } from '../random.js';
import { SHAPE_CLASSES } from './geometry.js';
import { type ShapesImageOptions, generateShapesImage } from './shapes.js';
import { imageName, imageSeed } from './splits.js';

export interface ShapesSourceOptions extends ShapesImageOptions {
  readonly count: number;
  readonly seed?: number;
  /** The split whose images to reproduce; default 'train'. */
  readonly split?: string;
}

export function shapesSource(options: ShapesSourceOptions): SampleSource {
  const split = options.split ?? 'train';
  const ids = Array.from({ length: options.count }, (_, index) => `images/${imageName(index, options.count)}`);
  return {
    root: `generated:shapes/${split}`,
    layout: 'segmentation',
    classes: SHAPE_CLASSES,
    maskClasses: SHAPE_CLASSES,
    ids,
    load: async (index) => {
      const generated = generateShapesImage(options, new Random(imageSeed(options.seed ?? 0, split, index)));
      return { id: ids[index]!, ...generated };
    },
  };
}
