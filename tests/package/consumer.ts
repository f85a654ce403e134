/**
 * An app's TypeScript against segc's installed declarations. The `@ts-expect-error` lines make
 * the check fail if any of these types degrades to `any`.
 */
export const CONSUMER_TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    lib: ['ES2022', 'DOM'],
    types: [],
  },
  files: ['consumer.ts'],
});

export const CONSUMER_TYPESCRIPT = `import type * as tf from '@tensorflow/tfjs-core';
import { type CompileResult, explain, hasErrors, renderDiagnostics, type SegModel } from 'segc';
import { compileFile, loadModel, loadWeights, readImage, saveWeights, writePng } from 'segc/node';
import { fetchWeights, type WeightsLoader } from 'segc/runtime';
import { fetchImage } from 'segc/web';
import { loadGapCam, type GapCamModel } from './generated/gap_cam.js';

const result: CompileResult = compileFile('node_modules/segc/examples/gap_cam.seg', { params: { classes: 10 } });
if (hasErrors(result.diagnostics)) console.error(renderDiagnostics(result.diagnostics, result.sources));
const remote: WeightsLoader = fetchWeights('https://example.org/gap_cam/');

export async function run(): Promise<number> {
  const { model }: { model: SegModel } = await loadModel('model.seg', { weights: 'weights', params: { classes: 4 } });
  const image: tf.Tensor4D = await readImage('image.png');
  const fetched: tf.Tensor4D = await fetchImage('https://example.org/image.png');
  const explanation = await explain(model, image, { method: 'gradcam' });
  await writePng('map.png', image);
  const generated: GapCamModel = await loadGapCam((manifest) => loadWeights('weights', manifest));
  const heat: tf.Tensor3D = generated.gradCam({ image });
  await saveWeights('copy', new Map<string, tf.Tensor>(), { model: 'GapCam', generatedBy: 'app' });
  // @ts-expect-error: the path is a string
  compileFile(42);
  // @ts-expect-error: no such explanation method
  await explain(model, image, { method: 'saliency' });
  // @ts-expect-error: the generated module names its inputs
  generated.predict({ picture: image });
  // @ts-expect-error: a loader is a function of the manifest
  await loadGapCam('weights');
  // @ts-expect-error: fetchImage gives a promise
  fetchImage('image.png').shape;
  return explanation.classIndex[0]! + heat.rank + fetched.rank + (remote === undefined ? 0 : 1);
}
`;

/** A page of the app, bundled by Vite from the installed package. */
export const CONSUMER_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><link rel="icon" href="data:," /><title>consumer</title></head>
<body><script type="module" src="./page.js"></script></body></html>
`;

/**
 * The page runs the built module (predict, gradCam) and the interpreter (GapCam compiled in
 * the page from the package's .seg files, predict and Grad-CAM), and reports both with the
 * tensors left over on `window.result`.
 */
export const CONSUMER_PAGE_SCRIPT = `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { explain, resizeImage } from 'segc';
import { fetchWeights } from 'segc/runtime';
import { fetchImage, loadWebModel } from 'segc/web';
import { loadGapCam } from './generated/gap_cam.js';

const here = (path) => new URL(path, location.href);
const text = async (path) => (await fetch(here(path))).text();

async function run() {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const original = await fetchImage(here('digit-7.png'));
  const image = tf.tidy(() => tf.mean(resizeImage(original, 28, 28), 3, true));

  const module = await loadGapCam(fetchWeights(here('weights/gap_cam/')));
  const outputs = module.predict({ image });
  const scores = Array.from(await outputs.probabilities.data());
  const classIndex = scores.indexOf(Math.max(...scores));
  const heat = module.gradCam({ image }, { classIndex });
  const generated = { classIndex, probability: scores[classIndex], rawValues: Array.from(await heat.data()) };

  const files = { 'examples/gap_cam.seg': await text('gap_cam.seg'), 'std/heads.seg': await text('heads.seg') };
  const { model } = await loadWebModel({ entry: 'examples/gap_cam.seg', files }, here('weights/gap_cam/'));
  const explanation = await explain(model, image, { method: 'gradcam', classIndex });
  const interpreter = { map: explanation.map.shape, rawValues: Array.from(await explanation.raw.data()) };

  tf.dispose([original, image, heat, explanation.map, explanation.raw, ...Object.values(outputs)]);
  module.dispose();
  model.dispose();
  return { generated, interpreter, tensorsLeft: tf.memory().numTensors - before };
}

window.result = run();
`;
