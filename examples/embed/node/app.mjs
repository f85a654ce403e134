/**
 * A Node app with segc as a dependency: compile a `.seg` file (its `std/` imports included),
 * load its weights folder, classify an image, explain the class with Grad-CAM and write the
 * heat map over the image. Plain Node, no flags.
 *
 *   node app.mjs [MODEL.seg WEIGHTS_DIR IMAGE OUT.png]
 *
 * Without arguments: segc's GapCam example, its trained weights and examples/images/digit-7.png,
 * writing gap_cam-gradcam.png. Prints one JSON line: the class, its probability, the map's
 * size and the raw Grad-CAM values (at the target layer's resolution).
 */
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { explain, heatmapOverlay, resizeImage, selectBackend } from 'segc';
import { loadModel, readImage, writePng } from 'segc/node';

const segcRoot = fileURLToPath(new URL('.', import.meta.resolve('segc/package.json')));
const [
  file = `${segcRoot}examples/gap_cam.seg`,
  weights = `${segcRoot}weights/gap_cam`,
  imagePath = `${segcRoot}examples/images/digit-7.png`,
  out = 'gap_cam-gradcam.png',
] = process.argv.slice(2);

tf.env().set('PROD', true);
await selectBackend(process.env.SEGC_BACKEND ?? 'cpu');
const before = tf.memory().numTensors;
const { model } = await loadModel(file, { weights });

// GapCam reads 28×28 grey images; readImage gives RGB in [0, 1].
const original = await readImage(imagePath);
const input = tf.tidy(() => tf.mean(resizeImage(original, 28, 28), 3, true));
const outputs = model.predict(input);
const { probabilities } = outputs;
const scores = await probabilities.data();
const classIndex = scores.indexOf(Math.max(...scores));

// Grad-CAM needs gradients; explain() registers them itself.
const explanation = await explain(model, input, { method: 'gradcam', classIndex });
const picture = tf.tidy(() => heatmapOverlay(original, tf.expandDims(explanation.map, 3)));
await writePng(out, picture);

const report = {
  classIndex,
  probability: scores[classIndex],
  target: explanation.target,
  map: explanation.map.shape,
  raw: explanation.raw.shape,
  rawValues: Array.from(await explanation.raw.data()),
  out,
};
tf.dispose([original, input, ...Object.values(outputs), explanation.map, explanation.raw, picture]);
model.dispose();
console.log(JSON.stringify({ ...report, tensorsLeft: tf.memory().numTensors - before }));
