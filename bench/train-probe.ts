import { readFileSync } from 'node:fs';
import { enableTfjsEsmResolution } from '../src/runtime/node/esm-resolution.js';
enableTfjsEsmResolution();
const tf = await import('@tensorflow/tfjs-core');
const { compileSource } = await import('../src/compiler/compile.js');
const { nodeHost } = await import('../src/compiler/node-host.js');
const { SegModel } = await import('../src/runtime/model.js');
const { registerGradients } = await import('../src/runtime/gradients.js');
const { selectBackend } = await import('../src/runtime/backend.js');

const [file, h, w, c, batch] = process.argv.slice(2);
await selectBackend((process.env.BACKEND ?? 'wasm') as 'wasm');
registerGradients();
const compiled = compileSource(readFileSync(file!, 'utf8'), file!, {}, nodeHost()).models[0]!;
const model = SegModel.random(compiled.graph!, compiled.sizes, 1);
const opt = tf.train.adam(1e-3);
const x = tf.randomUniform([+batch!, +h!, +w!, +c!]);
const targets = tf.tensor1d(Array.from({length:+batch!},()=>1),'int32');
for (let i = 0; i < 6; i++) {
  const t0 = performance.now();
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const out = model.run(x, { training: true, needsGradient: true, targetClasses: targets, updateState: (_n, v) => v.dispose() });
      const first = Object.values(out.outputs)[0]!;
      return tf.mean(tf.square(first)) as tf.Scalar;
    }, model.trainableVariables());
    opt.applyGradients(grads);
    value.dataSync();
  });
  console.log(file, 'step', i, (performance.now() - t0).toFixed(0), 'ms', tf.memory().numTensors);
}
