/**
 * Hand-built IR graphs for the export tests: a small DeepLab-like model whose ASPP fans out
 * into five parallel branches (one made by a comprehension, so three nodes share a source
 * span) and fans back in through concat, with a block called inside ASPP; and a graph whose
 * names and paths hold every character the exporters must escape.
 */
import type { Span } from '../../src/diagnostics/diagnostic.js';
import type { CallSite, Graph, IRNode } from '../../src/ir/graph.js';
import type { Attrs } from '../../src/ops/op.js';
import { type Dim, ceilDiv, dim, sym } from '../../src/shapes/symbolic.js';

export function span(line: number, column: number, file = 'model.seg'): Span {
  const offset = line * 100 + column;
  return { file, start: { offset, line, column }, end: { offset: offset + 5, line, column: column + 5 } };
}

interface NodeSpec {
  readonly op: string;
  readonly name: string;
  readonly inputs?: readonly number[];
  readonly shape: readonly Dim[];
  readonly attrs?: Attrs;
  readonly chain?: readonly CallSite[];
  readonly at?: Span;
  readonly dtype?: 'f32' | 'i32';
}

/** Numbers the nodes in the order given, which must be topological. */
export function buildNodes(specs: readonly NodeSpec[]): IRNode[] {
  return specs.map((spec, id) => ({
    id,
    op: spec.op,
    inputs: spec.inputs ?? [],
    attrs: spec.attrs ?? {},
    name: spec.name,
    type: { dtype: spec.dtype ?? 'f32', shape: spec.shape },
    weights: [],
    span: spec.at ?? span(id + 1, 3),
    callChain: spec.chain ?? [],
    annotations: [],
  }));
}

const N = sym('N');
const H = sym('H');
const W = sym('W');
const h = ceilDiv(H, 2);
const w = ceilDiv(W, 2);

export const BACKBONE_CALL: CallSite = { block: 'Backbone', span: span(30, 13) };
export const ASPP_CALL: CallSite = { block: 'ASPP', span: span(31, 13) };
export const PROJECT_CALL: CallSite = { block: 'ConvBnRelu', span: span(12, 26, 'std/heads.seg') };

const inBackbone = [BACKBONE_CALL];
const inAspp = [ASPP_CALL];
const inProjection = [ASPP_CALL, PROJECT_CALL];
const rateSpan = span(8, 30, 'std/heads.seg');
const features = (c: number): Dim[] => [N, h, w, dim(c)];

/** Ids: 0 image, 1-3 backbone, 4-12 ASPP branches and concat, 13-15 projection, 16-18 head. */
export function asppGraph(): Graph {
  const nodes = buildNodes([
    { op: 'input', name: 'image', shape: [N, H, W, dim(3)] },
    {
      op: 'conv',
      name: 'backbone/conv',
      inputs: [0],
      shape: features(16),
      attrs: { kernel: [3, 3], stride: [2, 2] },
      chain: inBackbone,
    },
    { op: 'bn', name: 'backbone/bn', inputs: [1], shape: features(16), chain: inBackbone },
    { op: 'relu', name: 'backbone/relu', inputs: [2], shape: features(16), chain: inBackbone },
    {
      op: 'conv',
      name: 'enc/branches/0/conv',
      inputs: [3],
      shape: features(8),
      attrs: { kernel: [1, 1] },
      chain: inAspp,
    },
    { op: 'relu', name: 'enc/branches/0/relu', inputs: [4], shape: features(8), chain: inAspp },
    ...[6, 12, 18].map((rate, index) => ({
      op: 'conv',
      name: `enc/branches/${index + 1}/conv`,
      inputs: [3],
      shape: features(8),
      attrs: { kernel: [3, 3], dilation: [rate, rate] },
      chain: inAspp,
      at: rateSpan,
    })),
    {
      op: 'gap',
      name: 'enc/branches/4/gap',
      inputs: [3],
      shape: [N, dim(1), dim(1), dim(16)],
      attrs: { keep: true },
      chain: inAspp,
    },
    {
      op: 'conv',
      name: 'enc/branches/4/conv',
      inputs: [9],
      shape: [N, dim(1), dim(1), dim(8)],
      attrs: { kernel: [1, 1] },
      chain: inAspp,
    },
    {
      op: 'upsample',
      name: 'enc/branches/4/upsample',
      inputs: [10, 3],
      shape: features(8),
      attrs: { mode: 'bilinear' },
      chain: inAspp,
    },
    {
      op: 'concat',
      name: 'enc/concat',
      inputs: [5, 6, 7, 8, 11],
      shape: features(40),
      attrs: { axis: -1 },
      chain: inAspp,
    },
    {
      op: 'conv',
      name: 'enc/project/conv',
      inputs: [12],
      shape: features(8),
      attrs: { kernel: [1, 1] },
      chain: inProjection,
    },
    { op: 'bn', name: 'enc/project/bn', inputs: [13], shape: features(8), chain: inProjection },
    { op: 'relu', name: 'enc/project/relu', inputs: [14], shape: features(8), chain: inProjection },
    { op: 'conv', name: 'classifier', inputs: [15], shape: features(4), attrs: { kernel: [1, 1] } },
    { op: 'upsample', name: 'logits', inputs: [16, 0], shape: [N, H, W, dim(4)], attrs: { mode: 'bilinear' } },
    { op: 'argmax', name: 'mask', inputs: [17], shape: [N, H, W], attrs: { axis: -1 }, dtype: 'i32' },
  ]);
  return {
    model: 'TinyDeepLab',
    params: { classes: 4 },
    nodes,
    inputs: [{ name: 'image', node: 0 }],
    outputs: [
      { name: 'logits', node: 17, span: span(40, 3) },
      { name: 'mask', node: 18, span: span(41, 3) },
    ],
    symbols: [
      { name: 'N', constraints: [] },
      { name: 'H', constraints: [] },
      { name: 'W', constraints: [] },
    ],
    constraints: [],
  };
}

/** Every edge of asppGraph as `from->to` ids, derived from the spec above by hand. */
export const ASPP_EDGES = [
  '0->1',
  '1->2',
  '2->3',
  '3->4',
  '4->5',
  '3->6',
  '3->7',
  '3->8',
  '3->9',
  '9->10',
  '10->11',
  '3->11',
  '5->12',
  '6->12',
  '7->12',
  '8->12',
  '11->12',
  '12->13',
  '13->14',
  '14->15',
  '15->16',
  '16->17',
  '0->17',
  '17->18',
];

/** Text that breaks naive quoting in DOT, Mermaid, SVG and HTML. */
export const NASTY = 'say "hi" \\n <b>&amp; #quot; `x` {a|b}';

/** A three-node graph whose model name, call-site path and shape text are all NASTY. */
export function nastyGraph(): Graph {
  const call: CallSite = { block: 'Odd', span: span(2, 1, `dir/${NASTY}.seg`) };
  const nodes = buildNodes([
    { op: 'input', name: 'x', shape: [sym('N'), dim(2)] },
    { op: 'relu', name: 'odd/relu', inputs: [0], shape: [sym('N'), dim(2)], chain: [call] },
    { op: 'dense', name: 'y', inputs: [1], shape: [sym('N'), dim(1)] },
  ]);
  return {
    model: NASTY,
    params: {},
    nodes,
    inputs: [{ name: 'x', node: 0 }],
    outputs: [{ name: 'y', node: 2, span: span(5, 3) }],
    symbols: [{ name: 'N', constraints: [] }],
    constraints: [],
  };
}
