import { describe, expect, it } from 'vitest';
import { InternalError } from '../../src/diagnostics/diagnostic.js';
import { toDot } from '../../src/ir/export/dot.js';
import type { Graph } from '../../src/ir/graph.js';
import { structural } from '../../src/shapes/symbolic.js';
import { ASPP_EDGES, NASTY, asppGraph, nastyGraph } from './fixtures.js';
import { readDot } from './graphviz-read.js';

const at = (ids: number[]): string[] => ids.map((id) => `n${id}`);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('toDot', () => {
  it('draws top to bottom with one node per IR node and one per output', async () => {
    const read = await readDot(toDot(asppGraph()));
    expect(read.attributes['rankdir']).toBe('TB');
    expect([...read.nodes.keys()].sort()).toEqual([...at(range(0, 18)), 'output0', 'output1'].sort());
  });

  it('labels each node with its name, op geometry and output shape', async () => {
    const read = await readDot(toDot(asppGraph()));
    // Graphviz keeps `\n` as its own line-break escape in the attribute value.
    expect(read.nodes.get('n0')!.label).toBe('image\\ninput\\n[N, H, W, 3]');
    expect(read.nodes.get('n1')!.label).toBe('backbone/conv\\nconv 3×3 /2\\n[N, ceil(H/2), ceil(W/2), 16]');
    expect(read.nodes.get('n7')!.label).toBe('enc/branches/2/conv\\nconv 3×3 d12\\n[N, ceil(H/2), ceil(W/2), 8]');
    expect(read.nodes.get('n11')!.label).toBe(
      'enc/branches/4/upsample\\nupsample bilinear\\n[N, ceil(H/2), ceil(W/2), 8]',
    );
    expect(read.nodes.get('n18')!.label).toBe('mask\\nargmax\\ni32[N, H, W]');
  });

  it('has exactly the edges of the IR plus one per output', async () => {
    const read = await readDot(toDot(asppGraph()));
    const expected = [...ASPP_EDGES.map((e) => e.replace(/(\d+)/g, 'n$1')), 'n17->output0', 'n18->output1'];
    expect([...read.edges].sort()).toEqual(expected.sort());
  });

  it('draws inputs and outputs as distinct shapes', async () => {
    const read = await readDot(toDot(asppGraph()));
    expect(read.nodes.get('n0')!.shape).toBe('invhouse');
    expect(read.nodes.get('output0')).toMatchObject({ shape: 'house', label: 'logits' });
    expect(read.nodes.get('output1')).toMatchObject({ shape: 'house', label: 'mask' });
    const others = [...read.nodes.values()].filter((n) => n.name !== 'n0' && !n.name.startsWith('output'));
    expect(new Set(others.map((n) => n.shape))).toEqual(new Set(['box']));
  });

  it('groups the nodes of each block call into a nested cluster', async () => {
    const read = await readDot(toDot(asppGraph()));
    expect([...read.clusters.keys()].sort()).toEqual(['cluster_0', 'cluster_1', 'cluster_1_0']);
    expect(read.clusters.get('cluster_0')).toMatchObject({
      label: 'Backbone (model.seg:30:13)',
      nodes: at([1, 2, 3]),
      clusters: [],
    });
    const aspp = read.clusters.get('cluster_1')!;
    expect(aspp.label).toBe('ASPP (model.seg:31:13)');
    expect([...aspp.nodes].sort()).toEqual(at(range(4, 12)).sort());
    expect(aspp.clusters).toEqual(['cluster_1_0']);
    expect(read.clusters.get('cluster_1_0')).toMatchObject({
      label: 'ConvBnRelu (std/heads.seg:12:26)',
      nodes: at([13, 14, 15]),
    });
  });

  it('keeps parallel branches side by side in one cluster, fanning out of and into the same nodes', async () => {
    const read = await readDot(toDot(asppGraph()));
    const branchHeads = read.edges.filter((e) => e.startsWith('n3->')).map((e) => e.slice(4));
    expect(branchHeads.sort()).toEqual(at([4, 6, 7, 8, 9, 11]).sort());
    const intoConcat = read.edges.filter((e) => e.endsWith('->n12')).map((e) => e.split('->')[0]);
    expect(intoConcat).toEqual(at([5, 6, 7, 8, 11]));
    for (const branch of at([6, 7, 8])) expect(read.clusters.get('cluster_1')!.nodes).toContain(branch);
  });

  it('formats sizes with the function it is given', async () => {
    const read = await readDot(
      toDot(asppGraph(), { formatDim: (d) => `⟨${structural(d).replace(/ceil\((\w)\/2\)/, '$1/2')}⟩` }),
    );
    expect(read.nodes.get('n4')!.label).toBe('enc/branches/0/conv\\nconv 1×1\\n[⟨N⟩, ⟨H/2⟩, ⟨W/2⟩, ⟨8⟩]');
  });

  it('escapes quotes, backslashes, entities and markup in every label', async () => {
    const dot = toDot(nastyGraph(), { formatDim: () => NASTY });
    const read = await readDot(dot);
    expect(read.attributes['label']).toBe('say "hi" \\\\n <b>&amp;amp; #quot; `x` {a|b}');
    expect(read.clusters.get('cluster_0')!.label).toBe(
      `Odd (dir/${'say "hi" \\\\n <b>&amp;amp; #quot; `x` {a|b}'}.seg:2:1)`,
    );
    expect(read.nodes.get('n1')!.label).toContain('[say "hi" \\\\n <b>&amp;amp;');
    expect(read.edges).toEqual(['n0->n1', 'n1->n2', 'n2->output0']);
  });

  it('is deterministic', () => {
    expect(toDot(asppGraph())).toBe(toDot(asppGraph()));
  });

  it('reports an IR edge to a missing node as an internal error', () => {
    const graph = asppGraph();
    const broken: Graph = { ...graph, nodes: graph.nodes.map((n) => (n.id === 5 ? { ...n, inputs: [42] } : n)) };
    expect(() => toDot(broken)).toThrow(InternalError);
    expect(() => toDot(broken)).toThrow('the IR has no node 42, read by enc/branches/0/relu');
  });
});
