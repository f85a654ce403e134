import { describe, expect, it } from 'vitest';
import { clusterTitle, clusterTree } from '../../src/ir/export/clusters.js';
import { describeOp, formatShape } from '../../src/ir/export/labels.js';
import type { CallSite, Graph } from '../../src/ir/graph.js';
import { dim, sym } from '../../src/shapes/symbolic.js';
import { buildNodes, span } from './fixtures.js';

const shape = [sym('N'), dim(4)];
const first: CallSite = { block: 'Block', span: span(10, 5) };
const second: CallSite = { block: 'Block', span: span(11, 5) };
const inner: CallSite = { block: 'Inner', span: span(3, 7, 'lib.seg') };

function graphOf(chains: readonly (readonly CallSite[])[]): Graph {
  const nodes = buildNodes(
    chains.map((chain, i) => ({ op: 'relu', name: `n${i}`, inputs: i > 0 ? [i - 1] : [], shape, chain })),
  );
  return { model: 'M', params: {}, nodes, inputs: [], outputs: [], symbols: [], constraints: [] };
}

const names = (nodes: readonly { name: string }[]): string[] => nodes.map((n) => n.name);

describe('clusterTree', () => {
  it('gives each call site its own cluster and nests calls made inside a call', () => {
    const tree = clusterTree(graphOf([[], [first], [first, inner], [second, inner], [second], []]));
    expect(names(tree.nodes)).toEqual(['n0', 'n5']);
    expect(tree.children.map((c) => [c.id, clusterTitle(c.site), names(c.nodes)])).toEqual([
      ['0', 'Block (model.seg:10:5)', ['n1']],
      ['1', 'Block (model.seg:11:5)', ['n4']],
    ]);
    // The same inner call site reached through different outer calls is two clusters.
    expect(tree.children.map((c) => c.children.map((k) => [k.id, names(k.nodes)]))).toEqual([
      [['0_0', ['n2']]],
      [['1_0', ['n3']]],
    ]);
  });

  it('keeps the iterations of one call site together, since they share the site', () => {
    const tree = clusterTree(graphOf([[first], [first], [first]]));
    expect(tree.children).toHaveLength(1);
    expect(names(tree.children[0]!.nodes)).toEqual(['n0', 'n1', 'n2']);
  });
});

describe('clusterTitle', () => {
  it('keeps a relative path as written and cuts an absolute one to the file name', () => {
    expect(clusterTitle({ block: 'ASPP', span: span(18, 17, 'examples/aspp.seg') })).toBe(
      'ASPP (examples/aspp.seg:18:17)',
    );
    expect(clusterTitle({ block: 'ASPP', span: span(18, 17, '/home/someone/work/aspp.seg') })).toBe(
      'ASPP (aspp.seg:18:17)',
    );
    expect(clusterTitle({ block: 'ASPP', span: span(18, 17, 'C:\\Users\\someone\\aspp.seg') })).toBe(
      'ASPP (aspp.seg:18:17)',
    );
  });
});

describe('node labels', () => {
  const node = (op: string, attrs: Record<string, unknown>, dtype: 'f32' | 'i32' = 'f32') =>
    buildNodes([{ op, name: 'x', shape: [sym('N'), dim(3)], attrs: attrs as never, dtype }])[0]!;

  it('describes the geometry that matters and leaves out trivial strides and dilations', () => {
    expect(describeOp(node('conv', { kernel: [3, 3], stride: [1, 1], dilation: [1, 1] }))).toBe('conv 3×3');
    expect(describeOp(node('conv', { kernel: [1, 7], stride: [2, 1], dilation: [2, 2] }))).toBe('conv 1×7 /2×1 d2');
    expect(describeOp(node('maxpool', { size: [3, 3], stride: [2, 2], pad: [1, 1] }))).toBe('maxpool 3×3 /2');
    expect(describeOp(node('upsample', { factor: [4, 4], size: null, mode: 'bilinear' }))).toBe(
      'upsample factor 4 bilinear',
    );
    expect(describeOp(node('dropout', { rate: 0.1 }))).toBe('dropout rate 0.1');
    expect(describeOp(node('erase', { threshold: 0.6 }))).toBe('erase threshold 0.6');
  });

  it('marks non-float tensors in the shape', () => {
    expect(formatShape(node('argmax', {}, 'i32'))).toBe('i32[N, 3]');
    expect(formatShape(node('relu', {}))).toBe('[N, 3]');
  });
});
