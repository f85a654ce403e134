/**
 * Blocks collapsed to a depth, in summaries and drawings: totals do not depend on the depth, a
 * collapsed row sums exactly the layers it stands for, memory matches the tensors the runtime
 * really makes, drawings keep every edge between what they show, and parallel branches are laid
 * out left to right in source order.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, type CompiledModel } from '../../src/compiler/compile.js';
import { PACKAGE_ROOT, nodeHost } from '../../src/compiler/node-host.js';
import { collapseGraph, unitsAtDepth } from '../../src/ir/analysis/depth.js';
import { summarize } from '../../src/ir/analysis/summary.js';
import { toDot } from '../../src/ir/export/dot.js';
import { toMermaid } from '../../src/ir/export/mermaid.js';
import { Executor } from '../../src/runtime/executor.js';
import { initialWeights } from '../../src/runtime/model.js';
import { readDot } from './graphviz-read.js';

function example(file: string, inputSize?: [number, number]): CompiledModel {
  const result = compile(join(PACKAGE_ROOT, 'examples', file), nodeHost(), inputSize ? { inputSize } : {});
  expect(result.diagnostics).toEqual([]);
  return result.models[0]!;
}

describe('summaries at a depth', () => {
  const deeplab = example('deeplabv3plus.seg', [513, 513]);
  const full = summarize(deeplab.graph!, deeplab.sizes);

  it('shows the model’s own layers and one row per block it calls at depth 0', () => {
    const summary = summarize(deeplab.graph!, deeplab.sizes, { depth: 0 });
    expect(summary.rows.map((r) => [r.name, r.op, r.layers ?? 1])).toEqual([
      ['image', 'input', 1],
      ['res_net', 'ResNet', 172],
      ['encoded/aspp', 'ASPP', 22],
      ['decoded/deep_lab_v3_plus_decoder', 'DeepLabV3PlusDecoder', 12],
      ['logits/upsample', 'upsample', 1],
      ['mask/argmax', 'argmax', 1],
    ]);
    expect(summary.rows[2]!.shape).toEqual(['N', '33', '33', '256']);
  });

  it.each([0, 1, 2, 3])('keeps every total at depth %i', (depth) => {
    const summary = summarize(deeplab.graph!, deeplab.sizes, { depth });
    expect(summary.depth).toBe(depth);
    for (const key of [
      'totalParams',
      'trainableParams',
      'nonTrainableParams',
      'totalFlops',
      'paramBytes',
      'activationBytes',
    ] as const) {
      expect(summary[key], key).toBe(full[key]);
    }
    expect(summary.rows.reduce((s, r) => s + (r.layers ?? 1), 0)).toBe(deeplab.graph!.nodes.length);
  });

  it('sums exactly the layers a collapsed row stands for', () => {
    const aspp = summarize(deeplab.graph!, deeplab.sizes, { depth: 0 }).rows.find((r) => r.op === 'ASPP')!;
    const layers = full.rows.filter((r) => r.name.startsWith('encoded/aspp/'));
    expect(layers).toHaveLength(aspp.layers!);
    expect(aspp.params).toBe(layers.reduce((s, r) => s + r.params, 0));
    expect(aspp.flops).toBe(layers.reduce((s, r) => s + r.flops!, 0));
    expect(aspp.activationBytes).toBe(layers.reduce((s, r) => s + r.activationBytes!, 0));
  });

  it('counts the iterations of a repeated call', () => {
    const rows = summarize(deeplab.graph!, deeplab.sizes, { depth: 2 }).rows.filter((r) => r.op === 'Bottleneck');
    // ResNet-50 stages: 3, 4, 6, 3 bottlenecks, the first of each its own call.
    expect(rows.map((r) => r.iterations)).toEqual([1, 2, 1, 3, 1, 5, 1, 2]);
  });

  it('prints symbolic costs simplified when no input size is given', () => {
    const symbolic = example('deeplabv3plus.seg');
    const summary = summarize(symbolic.graph!, symbolic.sizes, { depth: 1 });
    expect(summary.totalFlops).toBeUndefined();
    expect(summary.activationBytes).toBeUndefined();
    const stem = summary.rows.find((r) => r.name === 'res_net/low/conv')!;
    expect(stem.shape).toEqual(['N', 'ceil(H/2)', 'ceil(W/2)', '64']);
    expect(stem.flopsFormula).toBe('18816*ceil(H/2)*ceil(W/2)');
    expect(stem.activationFormula).toBe('256*ceil(H/2)*ceil(W/2)');
  });
});

describe('memory against the tensors the runtime makes', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    ['aspp.seg', [48, 40]],
    ['gap_cam.seg', undefined],
  ] as const)('%s: weights and every layer’s output, in bytes, per image', (file, size) => {
    const model = example(file, size ? [...size] : undefined);
    const graph = model.graph!;
    const summary = summarize(graph, model.sizes);
    const before = tf.memory().numTensors;
    const weights = initialWeights(graph, 3);
    const input = graph.nodes[graph.inputs[0]!.node]!;
    const shape = input.type.shape.map((d, i) => (i === 0 ? 1 : model.sizes.concrete(d)!));
    const image = tf.zeros(shape);
    const run = new Executor(graph, weights).run(
      { [graph.inputs[0]!.name]: image },
      { keep: graph.nodes.map((n) => n.id) },
    );
    const kept = [...run.kept.values()];
    const bytesOf = (tensors: readonly tf.Tensor[]) => tensors.reduce((s, t) => s + t.size * 4, 0);
    expect(summary.activationBytes).toBe(bytesOf(kept));
    expect(summary.paramBytes).toBe(bytesOf([...weights.values()]));
    for (const t of new Set([...kept, ...Object.values(run.outputs), image, ...weights.values()])) t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('drawings at a depth', () => {
  const deeplab = example('deeplabv3plus.seg');
  const graph = deeplab.graph!;

  it('draws the model’s blocks as single nodes at depth 0, with the edges between them', async () => {
    const read = await readDot(toDot(graph, { depth: 0 }));
    const labels = [...read.nodes.values()].map((n) => n.label.split('\\n')[0]);
    expect(labels).toEqual([
      'image',
      'res_net',
      'encoded/aspp',
      'decoded/deep_lab_v3_plus_decoder',
      'logits/upsample',
      'mask/argmax',
      'logits',
      'mask',
    ]);
    expect([...read.nodes.values()].filter((n) => n.shape === 'box3d')).toHaveLength(3);
    expect(read.clusters.size).toBe(0);
    // ResNet hands low features to the decoder and high ones to ASPP; `like: image` reads the input.
    expect(read.edges).toEqual([
      'n0->n1',
      'n1->n2',
      'n1->n3',
      'n2->n3',
      'n3->n4',
      'n0->n4',
      'n4->n5',
      'n4->output0',
      'n5->output1',
    ]);
  });

  it('keeps a node’s repeated input and every edge at full depth', () => {
    expect(collapseGraph(graph, Infinity).graph).toBe(graph);
  });

  it.each([0, 1, 2])('orders the collapsed graph topologically at depth %i, every layer in one unit', (depth) => {
    const view = collapseGraph(graph, depth).graph;
    view.nodes.forEach((node, index) => {
      expect(node.id).toBe(index);
      for (const input of node.inputs) expect(input).toBeLessThan(index);
    });
    const units = unitsAtDepth(graph, depth);
    expect(units.flatMap((u) => u.nodes.map((n) => n.id)).sort((a, b) => a - b)).toEqual(graph.nodes.map((n) => n.id));
  });

  it('draws a collapsed block in Mermaid as a subroutine box', () => {
    const text = toMermaid(graph, { depth: 0 });
    expect(text).toContain(
      'n2[["encoded/aspp<br/>ASPP · 22 layers · 15.5M params<br/>[N, ceil(H/16), ceil(W/16), 256]',
    );
    expect(text).toContain('  n1 --> n3\n');
  });

  /** Horizontal centres of laid-out nodes whose label starts with a prefix, by label. */
  async function centres(dot: string, pattern: RegExp): Promise<Map<string, number>> {
    const graphviz = await Graphviz.load();
    const json = JSON.parse(graphviz.layout(dot, 'json')) as { objects: { label?: string; pos?: string }[] };
    const found = new Map<string, number>();
    for (const o of json.objects) {
      const name = o.label?.split('\\n')[0];
      if (name && o.pos && pattern.test(name)) found.set(name, Number(o.pos.split(',')[0]));
    }
    return found;
  }

  it.each([
    ['deeplabv3plus.seg', 1, 'encoded/aspp/branches', [0, 1, 2, 3, 4]],
    ['deeplabv3plus.seg', Infinity, 'encoded/aspp/branches', [0, 1, 2, 3, 4]],
    ['aspp.seg', 1, 'context/aspp/branches', [0, 1, 2, 3, 4]],
    ['spp.seg', 1, 'context/spp/levels', [1, 2, 3, 4]],
  ] as const)('%s at depth %s lays out %s left to right in source order', async (file, depth, prefix, expected) => {
    const model = example(file);
    const heads = await centres(toDot(model.graph!, { depth }), new RegExp(`^${prefix}/\\d+/[a-z]+$`));
    const firstOfBranch = new Map<number, number>();
    for (const [name, x] of heads) {
      const branch = Number(name.slice(prefix.length + 1).split('/')[0]);
      if (!firstOfBranch.has(branch)) firstOfBranch.set(branch, x);
    }
    const order = [...firstOfBranch.entries()].sort((a, b) => a[1] - b[1]).map(([branch]) => branch);
    expect(order).toEqual(expected);
  });
});
