/**
 * segc in a browser app bundled by Vite: the GapCam example compiled in the page and run by the
 * interpreter with Grad-CAM, and the same model as a module from `segc build`, whose `gradCam`
 * needs no tfjs gradients. The app makes no registration call of its own.
 * `window.embedResult` holds both results (the test reads it).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { explain, resizeImage } from 'segc';
import { fetchWeights } from 'segc/runtime';
import { fetchImage, loadWebModel } from 'segc/web';
import gapCamSource from '../../gap_cam.seg?raw';
import headsSource from '../../../std/heads.seg?raw';
import { loadGapCam } from './generated/gap_cam.js';
import type { EmbedResult } from './result.js';

const weights = new URL('weights/gap_cam/', location.href);

async function runBoth(): Promise<EmbedResult> {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const original = await fetchImage(new URL('digit-7.png', location.href));
  const image = tf.tidy(() => tf.mean(resizeImage(original, 28, 28), 3, true) as tf.Tensor4D);

  const { model } = await loadWebModel(
    { entry: 'examples/gap_cam.seg', files: { 'examples/gap_cam.seg': gapCamSource, 'std/heads.seg': headsSource } },
    weights,
  );
  const outputs = model.predict(image);
  const scores = Array.from(await outputs['probabilities']!.data());
  const classIndex = scores.indexOf(Math.max(...scores));
  const explanation = await explain(model, image, { method: 'gradcam', classIndex });
  const interpreter = { classIndex, probability: scores[classIndex]!, raw: Array.from(await explanation.raw.data()) };

  const generatedModel = await loadGapCam(fetchWeights(weights));
  const generatedOutputs = generatedModel.predict({ image });
  const generatedScores = Array.from(await generatedOutputs.probabilities.data());
  const heat = generatedModel.gradCam({ image }, { classIndex });
  const generated = {
    classIndex: generatedScores.indexOf(Math.max(...generatedScores)),
    probability: generatedScores[classIndex]!,
    raw: Array.from(await heat.data()),
  };

  tf.dispose([
    original,
    image,
    explanation.map,
    explanation.raw,
    heat,
    ...Object.values(outputs),
    ...Object.values(generatedOutputs),
  ]);
  model.dispose();
  generatedModel.dispose();
  return { interpreter, generated, tensorsLeft: tf.memory().numTensors - before };
}

window.embedResult = runBoth();
window.embedResult.then(
  (result) => void (document.getElementById('status')!.textContent = `class ${result.interpreter.classIndex}`),
  (error: Error) => void (document.getElementById('status')!.textContent = error.message),
);
