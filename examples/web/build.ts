/**
 * `npm run web`: builds the demo page into examples/web/dist and serves it on 127.0.0.1.
 *
 *   npm run web                          build, then serve on a free port (prints the URL)
 *   npm run web -- --build-only          build only (also SEGC_WEB_BUILD_ONLY=1)
 *   npm run web -- --port 8080           serve on a chosen port
 *   npm run web -- --weights DIR         weights to serve (default: weights/deeplabv3plus_small
 *                                        when it exists, otherwise seeded random weights)
 *   npm run web -- --seed N              seed for the random weights
 *   npm run web -- --out DIR             where to build
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { copyOnnxRuntimeWeb, copyPageFiles, copyWasmBinaries, prepareWeights, type WeightsSource } from './assets.js';
import { bundlePage, DEFAULT_MODEL_FILE, PAGE_DIRECTORY, PROJECT_ROOT } from './bundle.js';
import { serveDirectory } from './serve.js';

export const DEFAULT_OUT_DIRECTORY = join(PAGE_DIRECTORY, 'dist');
export const DEFAULT_TRAINED_WEIGHTS = join(PROJECT_ROOT, 'weights', 'deeplabv3plus_small');

export interface SiteOptions {
  readonly outDirectory: string;
  readonly modelFile?: string;
  readonly weights?: WeightsSource;
  readonly minify?: boolean;
}

export interface SiteReport {
  readonly outDirectory: string;
  readonly bundleBytes: number;
  readonly weights: WeightsSource;
  readonly wasmBinaries: readonly string[];
  /** onnxruntime-web's files served from ort/; empty without the optional package. */
  readonly onnxRuntimeWeb: readonly string[];
}

/** Trained weights when the training run left them in the usual place, otherwise seed 0. */
export function defaultWeightsSource(): WeightsSource {
  return existsSync(join(DEFAULT_TRAINED_WEIGHTS, 'model.json')) ? { directory: DEFAULT_TRAINED_WEIGHTS } : { seed: 0 };
}

export async function buildSite(options: SiteOptions): Promise<SiteReport> {
  const modelFile = options.modelFile ?? DEFAULT_MODEL_FILE;
  const weights = options.weights ?? defaultWeightsSource();
  await mkdir(options.outDirectory, { recursive: true });
  const bundle = await bundlePage({
    entryPoint: join(PAGE_DIRECTORY, 'main.ts'),
    outFile: join(options.outDirectory, 'main.js'),
    modelFile,
    ...(options.minify === undefined ? {} : { minify: options.minify }),
  });
  await copyPageFiles(options.outDirectory);
  const wasmBinaries = await copyWasmBinaries(options.outDirectory);
  const onnxRuntimeWeb = await copyOnnxRuntimeWeb(options.outDirectory);
  await prepareWeights(options.outDirectory, modelFile, weights);
  return { outDirectory: options.outDirectory, bundleBytes: bundle.bytes, weights, wasmBinaries, onnxRuntimeWeb };
}

function describeWeights(source: WeightsSource): string {
  return 'directory' in source
    ? `weights from ${source.directory}`
    : `seeded random weights (seed ${source.seed}): no trained weights at ${DEFAULT_TRAINED_WEIGHTS}`;
}

function weightsFrom(values: { weights?: string | undefined; seed?: string | undefined }): WeightsSource {
  if (values.weights) return { directory: resolve(values.weights) };
  if (values.seed === undefined) return defaultWeightsSource();
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed expects an integer, got \`${values.seed}\``);
  return { seed };
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'build-only': { type: 'boolean' },
      port: { type: 'string' },
      weights: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const port = Number(values.port ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port expects a port number, got \`${values.port}\``);
  const outDirectory = resolve(values.out ?? DEFAULT_OUT_DIRECTORY);
  const report = await buildSite({ outDirectory, weights: weightsFrom(values) });
  console.log(
    `built ${outDirectory} (main.js ${(report.bundleBytes / 1024).toFixed(0)} KiB; ${describeWeights(report.weights)})`,
  );
  if (values['build-only'] || process.env.SEGC_WEB_BUILD_ONLY === '1') return;
  const server = await serveDirectory(outDirectory, port);
  console.log(`serving the segc demo at ${server.url}  (Ctrl-C to stop)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error((error as Error).message);
    process.exitCode = 1;
  });
}
