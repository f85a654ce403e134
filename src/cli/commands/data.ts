/**
 * `segc data shapes|mnist-canvas|mnist --out DIR`: generates a data set that needs no download.
 * `segc data pseudo-masks MODEL.seg --weights W --data DIR --out DIR`: masks for weakly
 * supervised segmentation from a classifier's class maps.
 */
import { DATASET_KINDS, type DatasetKind } from '../../data/generate/options.js';
import { generateDataset } from '../../data/node/write-dataset.js';
import { GROW_DEFAULTS, REFINE_DEFAULTS } from '../../data/pseudo-mask-refine.js';
import { writePseudoMasks } from '../../train/node/write-pseudo-masks.js';
import { type Parsed, UsageError } from '../args.js';
import { requireFiles } from '../compile-file.js';
import type { Io } from '../io.js';
import { loadModelWeights } from './eval.js';
import { backendOption, startBackend } from '../backend.js';
import { choiceOption, compileOneModel, numberOption, requireOption } from './train.js';

export async function generate(kind: DatasetKind, parsed: Parsed, io: Io): Promise<number> {
  const outDir = requireOption(parsed, 'out', `data ${kind}`);
  const result = await generateDataset(kind, outDir, {
    ...(parsed.values.count !== undefined ? { count: numberOption(parsed, 'count', 0, true, 1) } : {}),
    ...(parsed.values.size !== undefined ? { size: numberOption(parsed, 'size', 0, true, 1) } : {}),
    ...(parsed.values.seed !== undefined ? { seed: numberOption(parsed, 'seed', 0, true, 0) } : {}),
    overwrite: parsed.values.overwrite === true,
  });
  const counts = Object.entries(result.counts)
    .map(([split, count]) => `${split} ${count}`)
    .join(', ');
  io.out(`wrote ${kind} to ${outDir}: ${counts}; classes ${result.classes.join(', ')}`);
  return 0;
}

export async function pseudoMasks(parsed: Parsed, io: Io): Promise<number> {
  const [file] = requireFiles(parsed, 'data pseudo-masks', 1);
  const [weights, dataDir, outDir] = ['weights', 'data', 'out'].map((name) =>
    requireOption(parsed, name, 'data pseudo-masks'),
  );
  const foreground = numberOption(parsed, 'fg', 0.6);
  const background = numberOption(parsed, 'bg', 0.2);
  const method = choiceOption(parsed, 'method', ['cam', 'acol'] as const, 'cam');
  const refine = choiceOption(parsed, 'refine', ['none', 'walk', 'grow'] as const, 'none');
  const refineOptions = {
    alpha: numberOption(parsed, 'alpha', REFINE_DEFAULTS.alpha, false, 0),
    radius: numberOption(parsed, 'radius', REFINE_DEFAULTS.radius, true, 0),
    sigma: numberOption(parsed, 'sigma', REFINE_DEFAULTS.sigma, false, 1e-6),
    iterations: numberOption(parsed, 'steps', REFINE_DEFAULTS.iterations, true, 0),
  };
  const growOptions = {
    tolerance: numberOption(parsed, 'tolerance', GROW_DEFAULTS.tolerance, false, 0),
    maxArea: numberOption(parsed, 'max-area', GROW_DEFAULTS.maxArea, false, 0),
    seeds: numberOption(parsed, 'seeds', GROW_DEFAULTS.seeds, true, 1),
  };
  if (growOptions.maxArea > 1)
    throw new UsageError(`--max-area expects a share from 0 to 1, got \`${growOptions.maxArea}\``);
  // The walk keeps (2r+1)² weights per pixel; a radius past 16 (1,089 per pixel) only costs memory.
  if (refineOptions.radius > 16)
    throw new UsageError(`--radius expects an integer from 0 to 16, got \`${refineOptions.radius}\``);
  const backend = backendOption(parsed.values.backend, 'wasm');
  const compiled = compileOneModel(file!, parsed, io, 'data pseudo-masks');
  if (!compiled) return 1;
  await startBackend(backend, io);
  const model = await loadModelWeights(compiled.graph, compiled.sizes, weights!);
  try {
    const summary = await writePseudoMasks({
      model,
      dataDir: dataDir!,
      outDir: outDir!,
      method,
      foreground,
      background,
      refine,
      refineOptions,
      growOptions,
      overwrite: parsed.values.overwrite === true,
    });
    const percent = (value: number) => (Number.isNaN(value) ? 'n/a' : `${(100 * value).toFixed(1)}%`);
    const how = refine === 'none' ? method : `${method}, refined by ${refine}`;
    io.out(
      `wrote ${summary.images} pseudo-masks (${how}) to ${outDir}: ${percent(summary.foreground)} object, ${percent(summary.background)} background, ${percent(summary.ignored)} ignored (255)`,
    );
    const q = summary.quality;
    if (q)
      io.out(
        `against the true masks: object precision ${percent(q.objectPrecision)}, recall ${percent(q.objectRecall)}; background precision ${percent(q.backgroundPrecision)}, recall ${percent(q.backgroundRecall)}; ${percent(q.coverage)} of pixels labelled`,
      );
    return 0;
  } finally {
    model.dispose();
  }
}

/** `segc data` with no kind or an unknown one: a usage error listing the kinds. */
export function unknownKind(parsed: Parsed): never {
  const kind = parsed.positionals[0];
  throw new UsageError(
    `data needs a kind: ${[...DATASET_KINDS, 'pseudo-masks'].join(', ')}${kind ? `, got \`${kind}\`` : ''}`,
  );
}
