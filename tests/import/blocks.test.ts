/**
 * Block recovery on importer statements: the recovered source compiles and declares exactly the
 * moved weight names, a block never takes the model's name, and a unit whose inner value is read
 * after it stays flat. The numerical checks of recovered models against their source runtimes
 * are in onnx.test.ts, onnx-real.test.ts and graph.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileSource } from '../../src/compiler/compile.js';
import { recoverBlocks } from '../../src/import/blocks.js';
import type { SegStatement } from '../../src/import/layers-to-seg.js';
import { weightDeclarations } from '../../src/runtime/model.js';
import { useBackend } from '../ops/backends.js';

beforeAll(() => useBackend('cpu'));

/** Two residual units of one structure after an input `x` [N, 8, 8, 4]; `tail` after them. */
function residualStatements(tail: string[] = []): { statements: SegStatement[]; weights: Map<string, tf.Tensor> } {
  const text = [
    'input x: f32[N, 8, 8, 4]',
    'let a1 = conv(x, 4, 3)',
    'let r1 = relu(a1)',
    'let b1 = conv(r1, 4, 3)',
    'let s1 = add(x, b1)',
    'let a2 = conv(s1, 4, 3)',
    'let r2 = relu(a2)',
    'let b2 = conv(r2, 4, 3)',
    'let s2 = add(s1, b2)',
    ...tail,
    'output y = s2',
  ];
  const weights = new Map<string, tf.Tensor>();
  for (const name of ['a1', 'b1', 'a2', 'b2']) {
    weights.set(`${name}/conv/kernel`, tf.zeros([3, 3, 4, 4]));
    weights.set(`${name}/conv/bias`, tf.zeros([4]));
  }
  return { statements: text.map((line) => ({ text: line, comment: `Node ${line.split(' ')[1]}` })), weights };
}

function source(model: string, blocks: readonly string[], statements: readonly SegStatement[]): string {
  return `${blocks.join('\n')}\nmodel ${model}() {\n${statements.map((s) => `  ${s.text}\n`).join('')}}\n`;
}

describe('recoverBlocks', () => {
  it('writes repeated residual units as one block, named apart from the model, with the weights under the calls', () => {
    const { statements, weights } = residualStatements();
    const recovered = recoverBlocks(statements, weights, ['Residual']);
    expect(recovered.blocks).toEqual([
      '// A residual unit, recovered by segc import from 2 occurrences.\nblock Residual2(x) {\n  // Node\n  let conv1 = conv(x, 4, 3)\n  // Node\n  let relu1 = relu(conv1)\n  // Node\n  let conv2 = conv(relu1, 4, 3)\n  // Node\n  let sum = add(x, conv2)\n  return sum\n}\n',
    ]);
    expect(recovered.statements.map((s) => s.text)).toEqual([
      'input x: f32[N, 8, 8, 4]',
      'let s1 = Residual2(x)',
      'let s2 = Residual2(s1)',
      'output y = s2',
    ]);
    const text = source('Residual', recovered.blocks, recovered.statements);
    const compiled = compileSource(text, 'residual.seg');
    expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const declared = weightDeclarations(compiled.models[0]!.graph!).map((d) => d.name);
    expect(declared.sort()).toEqual([...recovered.weights.keys()].sort());
    expect(declared).toContain('s2/residual2/conv2/conv/kernel');
    // The tensors moved, not copied.
    expect(recovered.weights.get('s1/residual2/conv1/conv/kernel')).toBe(weights.get('a1/conv/kernel'));
    tf.dispose([...weights.values()]);
  });

  it('keeps units flat when an inner value is read after them, or when a residual occurs once', () => {
    const { statements, weights } = residualStatements(['let late = add(b2, s2)']);
    const recovered = recoverBlocks(statements, weights);
    // The second unit's `b2` is read after its add: only the first unit is closed, and a
    // residual structure seen once is left as written.
    expect(recovered.blocks).toEqual([]);
    expect(recovered.statements).toEqual(statements);
    expect([...recovered.weights.keys()]).toEqual([...weights.keys()]);
    tf.dispose([...weights.values()]);
  });
});
