/**
 * Refining class maps into pseudo-masks, in the spirit of AffinityNet (Ahn & Kwak, CVPR 2018):
 *
 * 1. Background estimation. Class maps score only the classes; background gets the map
 *    B(x) = (1 − max_c M_c(x))^α over the image's labelled classes, so that a pixel far from
 *    every object is background and α trades how far the objects reach (larger α: more object).
 * 2. Affinity propagation (a random walk). Each pixel i is tied to its neighbours j within a
 *    square of radius r by a_ij = exp(−‖I_i − I_j‖² / (2σ²)) on the image's colours (a_ii = 1);
 *    AffinityNet learns these affinities, here they come from colour similarity, which needs no
 *    training and follows object boundaries where colours change. The transition matrix
 *    T = D⁻¹A (rows sum to 1) is applied t times to every score map, background included:
 *    M ← T·M, i.e. each pixel becomes the affinity-weighted mean of its neighbourhood. Scores
 *    spread within regions of similar colour and stop at edges, so a blurry CAM that spills over
 *    an object's edge is pulled back inside and a CAM that covers only the most telling part of
 *    an object spreads over the rest of it.
 * 3. Each pixel takes the class with the highest refined score, background included.
 *
 * No dense CRF is used. Written here because no maintained JavaScript library does affinity
 * random walks on typed arrays; the walk is a few loops over precomputed neighbour weights.
 */

/** A float image, row-major `[height, width, channels]`. */
export interface RefineImage {
  readonly values: ArrayLike<number>;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** One labelled class's map: `[height × width]` values in [0, 1] that vote for `maskClass`. */
export interface RefineClassMap {
  readonly maskClass: number;
  readonly values: ArrayLike<number>;
}

export interface RandomWalkOptions {
  /** Neighbourhood radius r in pixels (a (2r+1)² square); default 3. */
  readonly radius?: number;
  /** Colour scale σ of the affinities (colours in [0, 1]); default 0.1. */
  readonly sigma?: number;
  /** Number of steps t; default 20. */
  readonly iterations?: number;
}

export interface RefineOptions extends RandomWalkOptions {
  /** Exponent α of the background map (1 − max_c M_c)^α; default 4. */
  readonly alpha?: number;
  /** Mask index of background; default 0. */
  readonly backgroundClass?: number;
}

export const REFINE_DEFAULTS = { radius: 3, sigma: 0.1, iterations: 20, alpha: 4 } as const;

/** B(x) = (1 − max_c M_c(x))^α; with no map at all every pixel is background (1). */
export function backgroundMap(
  maps: readonly ArrayLike<number>[],
  pixels: number,
  alpha: number = REFINE_DEFAULTS.alpha,
): Float32Array {
  const background = new Float32Array(pixels);
  for (let pixel = 0; pixel < pixels; pixel++) {
    let strongest = 0;
    for (const map of maps) strongest = Math.max(strongest, map[pixel]!);
    background[pixel] = Math.pow(Math.max(0, 1 - strongest), alpha);
  }
  return background;
}

/** Row-normalised affinities of every pixel to its (2r+1)² neighbours; 0 outside the image. */
export interface Transition {
  readonly radius: number;
  readonly height: number;
  readonly width: number;
  /** `[pixels × (2r+1)²]`, neighbour k of pixel (y, x) is (y + dy_k, x + dx_k) in raster order of the square. */
  readonly weights: Float32Array;
}

export function transitionMatrix(
  image: RefineImage,
  radius: number = REFINE_DEFAULTS.radius,
  sigma: number = REFINE_DEFAULTS.sigma,
): Transition {
  const { height, width, channels, values } = image;
  const side = 2 * radius + 1;
  const weights = new Float32Array(height * width * side * side);
  const scale = 1 / (2 * sigma * sigma);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const pixel = y * width + x;
      const row = pixel * side * side;
      let total = 0;
      for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          const [ny, nx] = [y + dy, x + dx];
          if (ny < 0 || ny >= height || nx < 0 || nx >= width) continue;
          let distance = 0;
          for (let c = 0; c < channels; c++) {
            const d = values[pixel * channels + c]! - values[(ny * width + nx) * channels + c]!;
            distance += d * d;
          }
          const affinity = Math.exp(-distance * scale);
          weights[row + (dy + radius) * side + dx + radius] = affinity;
          total += affinity;
        }
      }
      for (let k = 0; k < side * side; k++) weights[row + k]! /= total;
    }
  }
  return { radius, height, width, weights };
}

/** One step M ← T·M. */
export function walkStep(transition: Transition, map: ArrayLike<number>): Float32Array {
  const { radius, height, width, weights } = transition;
  const side = 2 * radius + 1;
  const next = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const pixel = y * width + x;
      const row = pixel * side * side;
      let sum = 0;
      for (let dy = Math.max(-radius, -y); dy <= Math.min(radius, height - 1 - y); dy++) {
        for (let dx = Math.max(-radius, -x); dx <= Math.min(radius, width - 1 - x); dx++) {
          sum += weights[row + (dy + radius) * side + dx + radius]! * map[(y + dy) * width + x + dx]!;
        }
      }
      next[pixel] = sum;
    }
  }
  return next;
}

/** t steps of the walk on each map. */
export function randomWalk(
  image: RefineImage,
  maps: readonly ArrayLike<number>[],
  options: RandomWalkOptions = {},
): Float32Array[] {
  const transition = transitionMatrix(
    image,
    options.radius ?? REFINE_DEFAULTS.radius,
    options.sigma ?? REFINE_DEFAULTS.sigma,
  );
  const iterations = options.iterations ?? REFINE_DEFAULTS.iterations;
  return maps.map((map) => {
    let current: Float32Array = Float32Array.from(map);
    for (let step = 0; step < iterations; step++) current = walkStep(transition, current);
    return current;
  });
}

/** Background estimation, the walk, then the class of the highest refined score per pixel (ties: background, then the earlier map). */
export function refinedPseudoMask(
  image: RefineImage,
  maps: readonly RefineClassMap[],
  options: RefineOptions = {},
): Uint8Array {
  const pixels = image.height * image.width;
  const backgroundClass = options.backgroundClass ?? 0;
  const background = backgroundMap(
    maps.map((m) => m.values),
    pixels,
    options.alpha ?? REFINE_DEFAULTS.alpha,
  );
  const [refinedBackground, ...refined] = randomWalk(image, [background, ...maps.map((m) => m.values)], options);
  const mask = new Uint8Array(pixels).fill(backgroundClass);
  for (let pixel = 0; pixel < pixels; pixel++) {
    let best = refinedBackground![pixel]!;
    refined.forEach((map, index) => {
      if (map[pixel]! > best) {
        best = map[pixel]!;
        mask[pixel] = maps[index]!.maskClass;
      }
    });
  }
  return mask;
}

/**
 * Seed growing, in the spirit of DSRG (Huang et al., CVPR 2018), which grows a class from its
 * most confident pixels into neighbours the network agrees with; here the neighbours are judged
 * by colour, which needs no training. A class map that comes from global max pooling is trained
 * only at its peak: the peak lands on the object far more often than the rest of the map
 * follows it, so the peak is the seed and the object's extent comes from the image.
 *
 * For each labelled class, in the order given: the seed is the map's highest pixel (the first
 * in raster order on ties); the region grows over 4-connected pixels whose colour lies within
 * `tolerance` (Euclidean, colours in [0, 1]) of the seed's. A region larger than `maxArea` (a
 * share of the image) is taken for background the seed fell on and dropped. With `seeds` k > 1,
 * a dropped region's pixels are set aside and the highest pixel of the map outside every region
 * tried so far is the next seed, up to k seeds per class, until one grows a region that is kept:
 * a peak that lands just off its object (on the background beside it) then still finds it. A
 * pixel keeps the first class that reaches it; every pixel no region reaches is background.
 */
export interface GrowOptions {
  /** Colour distance from the seed within which a pixel joins the region; default 0.1. */
  readonly tolerance?: number;
  /** The largest region kept, as a share of the image's pixels; default 0.25. */
  readonly maxArea?: number;
  /** Mask index of background; default 0. */
  readonly backgroundClass?: number;
  /** Seeds tried per class, highest first, until one grows a region that is kept; default 1. */
  readonly seeds?: number;
}

export const GROW_DEFAULTS = { tolerance: 0.1, maxArea: 0.25, seeds: 1 } as const;

/**
 * The pixels of the region grown from `seed` (a pixel index); an empty list when it passes `limit`
 * pixels. `tried`, when given, gets every pixel the growth reached, kept or not.
 */
export function growRegion(
  image: RefineImage,
  seed: number,
  tolerance: number,
  limit: number,
  tried?: Uint8Array,
): number[] {
  const { height, width, channels, values } = image;
  const joined = new Uint8Array(height * width);
  const region = [seed];
  joined[seed] = 1;
  const limitSquared = tolerance * tolerance;
  const mark = () => {
    if (tried) for (const pixel of region) tried[pixel] = 1;
  };
  for (let next = 0; next < region.length; next++) {
    if (region.length > limit) {
      mark();
      return [];
    }
    const pixel = region[next]!;
    const [y, x] = [Math.floor(pixel / width), pixel % width];
    for (const [ny, nx] of [
      [y - 1, x],
      [y + 1, x],
      [y, x - 1],
      [y, x + 1],
    ] as const) {
      if (ny < 0 || ny >= height || nx < 0 || nx >= width) continue;
      const neighbour = ny * width + nx;
      if (joined[neighbour]) continue;
      let distance = 0;
      for (let c = 0; c < channels; c++) {
        const d = values[neighbour * channels + c]! - values[seed * channels + c]!;
        distance += d * d;
      }
      if (distance > limitSquared) continue;
      joined[neighbour] = 1;
      region.push(neighbour);
    }
  }
  mark();
  return region.length > limit ? [] : region;
}

export function grownPseudoMask(
  image: RefineImage,
  maps: readonly RefineClassMap[],
  options: GrowOptions = {},
): Uint8Array {
  const pixels = image.height * image.width;
  const backgroundClass = options.backgroundClass ?? 0;
  const tolerance = options.tolerance ?? GROW_DEFAULTS.tolerance;
  const limit = (options.maxArea ?? GROW_DEFAULTS.maxArea) * pixels;
  const seeds = options.seeds ?? GROW_DEFAULTS.seeds;
  const mask = new Uint8Array(pixels).fill(backgroundClass);
  const claimed = new Uint8Array(pixels);
  for (const map of maps) {
    const tried = new Uint8Array(pixels);
    for (let attempt = 0; attempt < seeds; attempt++) {
      let seed = -1;
      for (let pixel = 0; pixel < pixels; pixel++)
        if (!tried[pixel] && (seed < 0 || map.values[pixel]! > map.values[seed]!)) seed = pixel;
      if (seed < 0) break;
      const region = growRegion(image, seed, tolerance, limit, tried);
      for (const pixel of region) {
        if (claimed[pixel]) continue;
        claimed[pixel] = 1;
        mask[pixel] = map.maskClass;
      }
      if (region.length > 0) break;
    }
  }
  return mask;
}
