describe('the layer order in saved weights', () => {
  it('is recorded by a training checkpoint, in the order of the model weights', async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const tf = await import('@tensorflow/tfjs-core');
    const { checkpointSteps } = await import('../../src/train/node/checkpoint.js');
    const out = await mkdtemp(join(tmpdir(), 'segc-layers-'));
    const tensors = new Map<string, import('@tensorflow/tfjs-core').Tensor>([
      ['stem/conv/kernel', tf.zeros([1, 1, 1, 2])],
      ['stem/bn/gamma', tf.ones([2])],
      ['head/dense/kernel', tf.zeros([2, 3])],
      ['stem/bn/beta', tf.zeros([2])],
    ]);
    try {
      const contents = { weights: tensors, optimizer: new Map(), state: { config: { model: 'M' } } };
      const { steps, staging } = checkpointSteps(out, contents as unknown as Parameters<typeof checkpointSteps>[1]);
      await steps[0]!.run();
      const json = JSON.parse(await readFile(join(staging, 'weights', 'model.json'), 'utf8'));
      expect(json.segc.layers).toEqual(['stem/conv', 'stem/bn', 'head/dense']);
    } finally {
      tf.dispose([...tensors.values()]);
      await rm(out, { recursive: true, force: true });
    }
  });
});
