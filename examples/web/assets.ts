/**
 * Everything the page loads besides its bundle: the HTML, the sample images, tfjs's wasm
 * binaries (served from `tfjs/` and located with `setWasmBinaryLocation`), and the weights in
 * `weights/`, copied from a trained model or, when there is none, seeded random weights written
 * with the same `saveWeights` the CLI uses.
 */
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { compile, hasErrors } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { renderDiagnostics } from '../../src/diagnostics/render.js';
import { initialWeights, weightDeclarations } from '../../src/runtime/model.js';
import { ONNX_RUNTIME_WEB_MODULE } from '../../src/web/onnx.js';
import { safetensorsFiles } from '../../src/runtime/node/safetensors-fs.js';
import { loadWeights, saveWeights } from '../../src/runtime/node/weights-fs.js';
import { MODEL_JSON } from '../../src/runtime/weights.js';
import { PAGE_DIRECTORY, PROJECT_ROOT } from './bundle.js';

// Production mode: no banner on stderr suggesting tfjs-node to a build that only writes weights.
tf.env().set('PROD', true);

export const WASM_DIRECTORY = 'tfjs';
/** Where onnxruntime-web's files are served, when the optional package is installed. */
export const ONNX_RUNTIME_DIRECTORY = 'ort';
export const WEIGHTS_DIRECTORY = 'weights';
export const SAMPLES_DIRECTORY = 'samples';
const STATIC_FILES = ['index.html', 'style.css'];

/** Where the page's weights come from: a directory holding model.json and shards, or a seed. */
export type WeightsSource = { readonly directory: string } | { readonly seed: number };

async function copyFiles(from: string, to: string, names: readonly string[]): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of names) await copyFile(join(from, name), join(to, name));
}

/** The page, its styles and the sample images. */
export async function copyPageFiles(outDirectory: string): Promise<void> {
  await copyFiles(PAGE_DIRECTORY, outDirectory, STATIC_FILES);
  const samples = join(PAGE_DIRECTORY, SAMPLES_DIRECTORY);
  await copyFiles(
    samples,
    join(outDirectory, SAMPLES_DIRECTORY),
    (await readdir(samples)).filter((name) => /\.(png|jpe?g)$/.test(name)),
  );
}

/** tfjs's wasm binaries (plain, SIMD, threaded SIMD); the backend picks one at start-up. */
export async function copyWasmBinaries(outDirectory: string): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const distribution = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  const binaries = (await readdir(distribution)).filter((name) => name.endsWith('.wasm'));
  await copyFiles(distribution, join(outDirectory, WASM_DIRECTORY), binaries);
  return binaries;
}

/**
 * onnxruntime-web's ES module bundle and its ort-wasm-* files, for `?executor=onnx`; none when
 * the optional package is not installed (the page then runs on tfjs and says so).
 */
export async function copyOnnxRuntimeWeb(outDirectory: string): Promise<string[]> {
  let distribution: string;
  try {
    // The package's main file lies in dist/, beside the browser files.
    distribution = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  } catch {
    return [];
  }
  const files = (await readdir(distribution)).filter(
    (name) => name === ONNX_RUNTIME_WEB_MODULE || /^ort-wasm.*\.(?:mjs|wasm)$/.test(name),
  );
  await copyFiles(distribution, join(outDirectory, ONNX_RUNTIME_DIRECTORY), files);
  return files;
}

/** Compiles the model file with the Node host; a model with errors stops the build with its diagnostics. */
export function compileModelFile(modelFile: string) {
  const result = compile(join(PROJECT_ROOT, modelFile), nodeHost());
  const compiled = result.models.find((model) => model.graph);
  if (hasErrors(result.diagnostics) || !compiled?.graph) {
    throw new Error(`${modelFile} does not compile:\n${renderDiagnostics(result.diagnostics, result.sources)}`);
  }
  return compiled;
}

/** Seeded random weights for the model, saved in the tfjs format; says so in `generatedBy`. */
export async function writeRandomWeights(modelFile: string, seed: number, directory: string): Promise<void> {
  const compiled = compileModelFile(modelFile);
  const tensors = initialWeights(compiled.graph!, seed);
  try {
    await saveWeights(directory, tensors, {
      model: modelFile,
      generatedBy: `segc web build: seeded random weights (seed ${seed}), untrained`,
    });
  } finally {
    for (const tensor of tensors.values()) tensor.dispose();
  }
}

/** Copies trained weights after checking them against the model, so a mismatch fails the build, not the page. */
async function copyWeights(modelFile: string, from: string, to: string): Promise<void> {
  if (await safetensorsFiles(from)) return convertSafetensors(modelFile, from, to);
  const names = (await readdir(from)).filter((name) => name === MODEL_JSON || name.endsWith('.bin'));
  if (!names.includes(MODEL_JSON)) throw new Error(`${from} holds no ${MODEL_JSON}: it is not a weights directory`);
  const expected = weightDeclarations(compileModelFile(modelFile).graph!).map((d) => ({
    name: d.name,
    shape: d.shape,
    dtype: d.dtype,
    declaredAt: d.declaredAt,
  }));
  const checked = await loadWeights(from, expected).catch((error: unknown) => {
    const diagnostics = (error as { diagnostics?: readonly Diagnostic[] }).diagnostics;
    throw diagnostics
      ? new Error(`the weights in ${from} do not fit ${modelFile}:\n${renderDiagnostics(diagnostics, new Map())}`)
      : error;
  });
  for (const tensor of checked.values()) tensor.dispose();
  await copyFiles(from, to, names);
}

/** Weights trained in PyTorch (safetensors, see docs/pytorch.md), checked and saved in the tfjs format the page reads. */
async function convertSafetensors(modelFile: string, from: string, to: string): Promise<void> {
  const expected = weightDeclarations(compileModelFile(modelFile).graph!).map((d) => ({
    name: d.name,
    shape: d.shape,
    dtype: d.dtype,
    declaredAt: d.declaredAt,
  }));
  const tensors = await loadWeights(from, expected);
  try {
    await saveWeights(to, tensors, {
      model: modelFile,
      generatedBy: `segc web build: converted from ${basename(from)} (safetensors, PyTorch)`,
    });
  } finally {
    for (const tensor of tensors.values()) tensor.dispose();
  }
}

/** Fills `weights/` in the output: a copy of trained weights, or seeded random ones. */
export async function prepareWeights(outDirectory: string, modelFile: string, source: WeightsSource): Promise<void> {
  const target = join(outDirectory, WEIGHTS_DIRECTORY);
  await rm(target, { recursive: true, force: true });
  if ('directory' in source) await copyWeights(modelFile, source.directory, target);
  else await writeRandomWeights(modelFile, source.seed, target);
}
