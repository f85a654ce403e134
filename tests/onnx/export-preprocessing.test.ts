/**
 * The ONNX metadata says the preprocessing the input declares, so that a server feeds the
 * exported model what segc feeds it; without a declaration it says the defaults, as before.
 */
import { describe, expect, it } from 'vitest';
import { describePreprocessing } from '../../src/onnx/preprocessing.js';
import { compileText } from '../helpers/compile.js';

function inputsOf(annotation: string, channels = 3): Record<string, unknown>[] {
  const source = `model P() {\n  input image: f32[N, 8, 8, ${channels}] ${annotation}\n  output x = image -> relu\n}\n`;
  const graph = compileText(source).models[0]!.graph!;
  return JSON.parse(describePreprocessing(graph)['segc.inputs']!) as Record<string, unknown>[];
}

describe('segc.inputs metadata', () => {
  it('describes a declared BGR, mean and std, nearest resize with legacy centres', () => {
    const [input] = inputsOf(
      '@preprocess(order: "bgr", scale: 1, mean: [104, 117, 124], std: 58, resize: "nearest", centres: "legacy")',
    );
    expect(input).toMatchObject({
      color: 'BGR',
      scale: '(pixel value 0..255 × 1 − mean [104, 117, 124]) / std 58, per channel in the order above',
      resize:
        'nearest with legacy centres (no half-pixel offset) to the input size; a free size goes to the nearest allowed size at least the image size',
      preprocessing: {
        resize: 'nearest',
        centres: 'legacy',
        order: 'bgr',
        grey: 'mean',
        scale: 1,
        mean: [104, 117, 124],
        std: [58],
      },
    });
  });

  it('describes the defaults as before, and luma grey when declared', () => {
    expect(inputsOf('')[0]).toMatchObject({
      color: 'RGB',
      scale: 'pixel values / 255, so [0, 1]; no mean or deviation normalisation',
      resize:
        'bilinear with half-pixel centres to the input size; a free size goes to the nearest allowed size at least the image size',
    });
    expect(inputsOf('@preprocess(grey: "luma")', 1)[0]).toMatchObject({ color: 'grey: Rec. 601 luma of R, G and B' });
  });
});
