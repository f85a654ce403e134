// Saves checkpoints of steps 1, 2, 3, … into the folder given, for ever, printing each step
// once saved; the checkpoint test kills it with SIGKILL at a random moment.
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-cpu');
await tf.setBackend('cpu');
const { saveCheckpoint } = await import('../../src/train/node/checkpoint.js');
const { initialState } = await import('../../src/train/state.js');

const outDir = process.argv[2]!;
const config = JSON.parse(process.argv[3]!);
for (let step = 1; ; step++) {
  const weights = new Map([['dense/kernel', tf.tensor1d([step, step])]]);
  const optimizer = new Map([['dense/kernel/m', tf.tensor1d([-step, -step])]]);
  await saveCheckpoint(outDir, { weights, optimizer, state: { ...initialState(config), step, epoch: step } });
  tf.dispose([...weights.values(), ...optimizer.values()]);
  process.stdout.write(`${step}\n`);
}
