/**
 * A module from `segc build` in a Node app: no compiler and no `.seg` file at run time, only
 * tfjs-core and the module (its `gradCam` needs no tfjs gradients), with segc's image and weights helpers.
 *
 *   npx segc build node_modules/segc/examples/gap_cam.seg -o generated --target js
 *   node app.mjs [generated/gap_cam.js WEIGHTS_DIR IMAGE]
 *
 * Defaults: generated/gap_cam.js, segc's trained GapCam weights, examples/images/digit-7.png.
 * Prints one JSON line: the class, its probability and the raw Grad-CAM map of that class.
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { resizeImage } from 'segc';
import { loadWeights, readImage } from 'segc/node';

const segcRoot = fileURLToPath(new URL('.', import.meta.resolve('segc/package.json')));
const [
  modulePath = 'generated/gap_cam.js',
  weights = `${segcRoot}weights/gap_cam`,
  imagePath = `${segcRoot}examples/images/digit-7.png`,
] = process.argv.slice(2);

tf.env().set('PROD', true);
await tf.setBackend('cpu');
const before = tf.memory().numTensors;
const { loadGapCam } = await import(pathToFileURL(resolve(modulePath)).href);
const model = await loadGapCam((manifest) => loadWeights(weights, manifest));

const original = await readImage(imagePath);
const image = tf.tidy(() => tf.mean(resizeImage(original, 28, 28), 3, true));
const outputs = model.predict({ image });
const { probabilities } = outputs;
const scores = await probabilities.data();
const classIndex = scores.indexOf(Math.max(...scores));
// No registerGradients() here: the module's gradCam runs its own derivative code.
const heat = model.gradCam({ image }, { classIndex });

const report = {
  classIndex,
  probability: scores[classIndex],
  raw: heat.shape,
  rawValues: Array.from(await heat.data()),
};
tf.dispose([original, image, ...Object.values(outputs), heat]);
model.dispose();
console.log(JSON.stringify({ ...report, tensorsLeft: tf.memory().numTensors - before }));
