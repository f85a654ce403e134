/**
 * An app's TypeScript against segc's installed declarations. The `@ts-expect-error` lines make
 * the check fail if any of these types degrades to `any`.
 */
export const CONSUMER_TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true,
    lib: ['ES2022', 'DOM'], types: [],
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
