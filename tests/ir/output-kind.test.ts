/**
 * One function says what an output holds; explanations, `segc run`, the browser helpers and
 * training read models through it. Each kind from a compiled model, then the readers that agree.
 */
import { describe, expect, it } from 'vitest';
import { isPixelScores, outputKind, outputKindOf } from '../../src/ir/analysis/output-kind.js';
import { deriveExplanations } from '../../src/ir/analysis/explanations/derive.js';
import { inferTask } from '../../src/train/task.js';
import { compileText } from '../helpers/compile.js';

function graphOf(outputs: string) {
  const source = `model M() {\n  input x: f32[N, 32, 32, 3]\n  let f = x -> conv(8, 3)\n${outputs}\n}\n`;
  const { models, diagnostics } = compileText(source);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return models[0]!.graph!;
}

describe('outputKind', () => {
  it.each([
    ['f -> gap -> dense(10)', { kind: 'class-scores', classes: 10, probabilities: false }],
    ['f -> gap -> dense(10) -> softmax', { kind: 'class-scores', classes: 10, probabilities: true }],
    ['f -> conv(21, 1)', { kind: 'segmentation', classes: 21, probabilities: false }],
    ['f -> conv(21, 1) -> softmax', { kind: 'segmentation', classes: 21, probabilities: true }],
    ['f -> conv(1, 1)', { kind: 'foreground', classes: 1, probabilities: false }],
    ['f -> conv(1, 1) -> sigmoid', { kind: 'foreground', classes: 1, probabilities: true }],
    ['f -> conv(4, 1) -> argmax', { kind: 'labels', probabilities: false }],
  ])('output y = %s', (expression, expected) => {
    const graph = graphOf(`  output y = ${expression}`);
    expect(outputKind(graph.nodes[graph.outputs[0]!.node]!)).toEqual(expected);
    expect(outputKindOf(graph, 'y')).toEqual(expected);
    expect(outputKindOf(graph, 0)).toEqual(expected);
  });

  it('names no kind for an output that is not there', () => {
    const graph = graphOf('  output y = f');
    expect(outputKindOf(graph, 'z')).toBeUndefined();
    expect(outputKindOf(graph, 1)).toBeUndefined();
    expect(isPixelScores(outputKindOf(graph, 'y')!)).toBe(true);
  });

  it('is what training and explanations read', () => {
    const segmenter = graphOf('  output y = f -> conv(1, 1)');
    expect(inferTask(segmenter)).toEqual({ kind: 'segmentation', outputs: ['y'], classes: 1 });
    expect(deriveExplanations(segmenter)[0]!.kind).toBe('segmentation');
    const classifier = graphOf('  output y = f -> gap -> dense(10) -> softmax');
    expect(inferTask(classifier)).toEqual({ kind: 'classification', outputs: ['y'], classes: 10 });
    expect(deriveExplanations(classifier)[0]!.kind).toBe('classification');
    const labels = graphOf('  output y = f -> conv(4, 1) -> argmax');
    expect(() => inferTask(labels)).toThrow(/cannot tell what `M` is trained for/);
  });
});
