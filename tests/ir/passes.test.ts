/**
 * What the passes promise beyond a valid graph: the node map from source nodes to the nodes
 * that compute their values, verification that rejects attributes and weights no op declares,
 * and receptive fields computed with the whole node (`upsample(size:)`).
 */
import { describe, expect, it } from 'vitest';
import { receptiveFields } from '../../src/ir/analysis/receptive-field.js';
import { summarize } from '../../src/ir/analysis/summary.js';
import type { Graph } from '../../src/ir/graph.js';
import { runPipeline } from '../../src/ir/passes/index.js';
import { type Pass, unchanged } from '../../src/ir/passes/pass.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { compileText, diagnose } from '../helpers/compile.js';

function source(text: string) {
  const model = compileText(text, { mode: 'source', verify: true }).models[0]!;
  return { graph: model.graph!, sizes: model.sizes! };
}

const byName = (graph: Graph, name: string) => graph.nodes.find((n) => n.name === name)!.id;

describe('node map', () => {
  const text =
    'model M() {\n  input x: f32[N, 16, 16, 3]\n' +
    '  output y = x -> conv(8, 3, bias: false) -> bn -> relu -> dropout(0.2) -> conv(2, 1) -> relu\n}\n';

  it('maps a folded batch norm and a fused activation to the layer that now computes them', () => {
    const { graph, sizes } = source(text);
    const ops = graph.nodes.map((n) => `${n.name}:${n.op}`);
    expect(ops).toEqual([
      'x:input',
      'y/conv:conv',
      'y/bn:bn',
      'y/relu:relu',
      'y/dropout:dropout',
      'y/conv_1:conv',
      'y/relu_1:relu',
    ]);
    const { graph: inference, map } = runPipeline(graph, sizes, { mode: 'inference', verify: true }, []);
    expect(inference.nodes.map((n) => `${n.name}:${n.op}:${n.attrs.activation ?? ''}`)).toEqual([
      'x:input:',
      'y/conv:conv:relu',
      'y/conv_1:conv:relu',
    ]);
    expect(map).toEqual([
      0, // the input stays
      undefined, // the convolution's own output (before bn) is computed nowhere now
      undefined, // bn's value (before relu) is gone too: relu fused into the same layer
      1, // relu: the folded, fused layer
      1, // dropout is the identity at inference: its input's layer
      undefined, // conv(2, 1) before its relu
      2,
    ]);
  });

  it('maps a dead node to nothing and every other node to itself in source mode', () => {
    const { graph, sizes } = source(text);
    // A relu of the input that no output reads.
    const relu = graph.nodes.find((n) => n.op === 'relu')!;
    const dead = { ...relu, id: graph.nodes.length, name: 'dead', inputs: [0], type: graph.nodes[0]!.type };
    const withDead: Graph = { ...graph, nodes: [...graph.nodes, dead] };
    const { graph: result, map } = runPipeline(withDead, sizes, { mode: 'source', verify: true }, []);
    expect(result.nodes.map((n) => n.name)).toEqual(graph.nodes.map((n) => n.name));
    expect(map).toEqual([...graph.nodes.map((n) => n.id), undefined]);
  });

  it('maps each kept node to the node with the same name', () => {
    const { graph, sizes } = source(text);
    const { graph: inference, map } = runPipeline(graph, sizes, { mode: 'inference' }, []);
    map.forEach((id, from) => {
      if (id !== undefined && graph.nodes[from]!.op === inference.nodes[id]!.op && from !== byName(graph, 'y/relu'))
        expect(inference.nodes[id]!.name).toBe(graph.nodes[from]!.name);
    });
  });
});

describe('verification of what passes add', () => {
  const text = 'model M() {\n  input x: f32[N, 8, 8, 3]\n  output y = x -> conv(4, 3) -> bn -> leakyRelu(0.2)\n}\n';

  function afterBrokenPass(edit: (graph: Graph) => Graph) {
    const { graph, sizes } = source(text);
    const broken: Pass = { name: 'broken', modes: ['inference'], run: (g) => unchanged(edit(g)) };
    return () => runPipeline(graph, sizes, { mode: 'inference', verify: true }, [], [broken]);
  }

  it('accepts what folding and fusion add, as conv declares it', () => {
    const { graph, sizes } = source(text);
    const { graph: inference } = runPipeline(graph, sizes, { mode: 'inference', verify: true }, []);
    expect(inference.nodes[1]!.attrs).toMatchObject({ foldedBatchNorm: 1e-5, activation: 'leakyRelu', alpha: 0.2 });
    expect(() => verifyGraph(inference, sizes, 'test')).not.toThrow();
  });

  it('rejects an attribute no op declares', () => {
    const run = afterBrokenPass((g) => ({
      ...g,
      nodes: g.nodes.map((n) => (n.op === 'conv' ? { ...n, attrs: { ...n.attrs, fusedGroupNorm: 1 } } : n)),
    }));
    expect(run).toThrow(
      'IR verification failed after pass `broken`: node y/conv (conv) has attribute `fusedGroupNorm`, which conv does not declare',
    );
  });

  it('rejects a folded batch norm on an op that does not fold one', () => {
    const run = afterBrokenPass((g) => ({
      ...g,
      nodes: g.nodes.map((n) => (n.op === 'leakyRelu' ? { ...n, attrs: { ...n.attrs, foldedBatchNorm: 1e-5 } } : n)),
    }));
    expect(run).toThrow(
      'node y/leakyRelu (leakyRelu) has attribute `foldedBatchNorm`, which leakyRelu does not declare',
    );
  });

  it('rejects a weight role no op declares', () => {
    const run = afterBrokenPass((g) => ({
      ...g,
      nodes: g.nodes.map((n) =>
        n.op === 'conv'
          ? { ...n, weights: [...n.weights, { ...n.weights[0]!, name: 'y/conv/extra', role: 'bn.extra' }] }
          : n,
      ),
    }));
    expect(run).toThrow('node y/conv (conv) has weight role `bn.extra`, which conv does not declare');
  });
});

describe('receptive field with the whole node', () => {
  it('upsample(size:) divides the output stride by the ratio of the sizes', () => {
    const { graph, sizes } = source(
      'model M() {\n  input x: f32[N, 64, 64, 3]\n  output y = x -> conv(8, 3, stride: 4) -> upsample(size: [64, 64])\n}\n',
    );
    expect(receptiveFields(graph).map((f) => f.outputStride)).toEqual([1, 4, 1]);
    // `segc summary` reads the same numbers.
    const rows = summarize(graph, sizes).rows;
    expect(rows.map((r) => r.outputStride)).toEqual([1, 4, 1]);
  });

  it('upsample(like:) takes the stride of the size it copies, not of the tensor it reads it from', () => {
    const { graph } = source(
      'model M() {\n  input x: f32[N, H, W, 3] where H % 8 == 0, W % 8 == 0\n  let f = x -> conv(8, 3, stride: 8)\n' +
        '  output y = f -> upsample(like: x)\n}\n',
    );
    expect(receptiveFields(graph).map((f) => [f.receptiveField, f.outputStride])).toEqual([
      [1, 1],
      [3, 8],
      [3, 1],
    ]);
  });

  it('the ASPP-rate warning reads the stride after upsample(size:)', () => {
    const aspp = (rates: string) =>
      'model M() {\n  input x: f32[N, 64, 64, 3]\n  let f = x -> conv(8, 3, stride: 16) -> upsample(size: [8, 8])\n' +
      `  output y = concat([for r in ${rates}: f -> conv(8, 3, dilation: r)]) -> upsample(size: [64, 64])\n}\n`;
    expect(diagnose(aspp('[6, 12, 18]'))).toEqual([
      '4:49 W0310 ASPP rates [6, 12, 18] are meant for output stride 16, but these features have output stride 8',
    ]);
    expect(diagnose(aspp('[12, 24, 36]'))).toEqual([]);
  });
});
