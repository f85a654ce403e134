/**
 * Grad-CAM's derivative in generated modules, emitted as straight-line tfjs code at build time:
 * the reverse pass of the part of the inference graph from the explained layer A to the score,
 * each op by its vector-Jacobian product written as tfjs calls, reading the forward values the
 * same forward run kept. Nothing before A is differentiated or run again, and no tape is
 * recorded. The products follow the IR's own (src/onnx/vjp*.ts) and tfjs's choices where one
 * exists (relu′(0) = 0, ties of a max go to every maximum); a resize's adjoint is the transposed
 * interpolation (tfjs's ResizeBilinearGrad ignores half-pixel centres, so it is not used).
 *
 * They are written here, not lowered from the ONNX derivative program, because a generated
 * module takes any input size its `.seg` allows and loads its weights at run time, while that
 * program fixes both when it is built.
 */
import type { Graph, IRNode } from '../ir/graph.js';
import { leakyAlpha } from '../ops/activation.js';
import { AttributeReader } from '../ops/attributes.js';
import { readConvolution } from '../ops/convolution.js';
import type { EmitHelper } from '../ops/op.js';
import type { ActivationName } from '../ops/params.js';
import { findOp } from '../ops/registry.js';
import { tensorTypeName } from './layers.js';
import { lineCommentText } from './text.js';

/** The nodes the score depends on through the target (the target included). */
export function pathNodes(graph: Graph, target: number, score: number): Set<number> {
  const above = new Set<number>([score]);
  for (let i = score; i >= 0; i--) if (above.has(i)) for (const input of graph.nodes[i]!.inputs) above.add(input);
  const path = new Set<number>([target]);
  for (const node of graph.nodes)
    if (node.id > target && above.has(node.id) && node.inputs.some((i) => path.has(i))) path.add(node.id);
  return path;
}

const reader = (node: IRNode) => new AttributeReader(node.op, findOp(node.op)!.params, node.attrs);

/** g ⊙ activation′ from the activation's output y, as tfjs differentiates it. */
function throughActivation(name: ActivationName, y: string, g: string, alpha: number): string {
  const mask = (condition: string) => `tf.mul(${g}, tf.cast(${condition}, 'float32'))`;
  switch (name) {
    case 'none':
      return g;
    case 'relu':
      return mask(`tf.greater(${y}, 0)`);
    case 'relu6':
      return mask(`tf.logicalAnd(tf.greater(${y}, 0), tf.less(${y}, 6))`);
    case 'leakyRelu':
      return `tf.where(tf.greater(${y}, 0), ${g}, tf.mul(${g}, ${alpha}))`;
    case 'sigmoid':
      return `tf.mul(${g}, tf.mul(${y}, tf.sub(1, ${y})))`;
    case 'tanh':
      return `tf.mul(${g}, tf.sub(1, tf.square(${y})))`;
  }
}

interface VjpArgs {
  readonly node: IRNode;
  readonly graph: Graph;
  /** Expressions of the forward values: the op's inputs and output. */
  readonly x: readonly string[];
  readonly y: string;
  readonly g: string;
  /** The layer's prepared weights by role (`layers.logits.kernel`). */
  readonly weights: Readonly<Record<string, string>>;
}

/** The cotangent expressions of an op's inputs (undefined: none flows there), or undefined when the op has no product here. */
type Vjp = (args: VjpArgs) => (string | undefined)[] | undefined;

const activation = (node: IRNode) => reader(node).text('activation') as ActivationName;

const conv: Vjp = ({ node, x, y, g, weights }) => {
  const { window } = readConvolution(node.op, findOp(node.op)!.params, node.attrs);
  if (window.dilation.some((d) => d > 1)) return undefined;
  const dy = throughActivation(activation(node), y, g, leakyAlpha(node.attrs));
  const strides = `[${window.stride.join(', ')}]`;
  if (window.padding.kind !== 'explicit')
    return [
      `tf.conv2dTranspose(${dy} as tf.Tensor4D, ${weights.kernel}, ${x[0]}.shape, ${strides}, '${window.padding.kind}')`,
    ];
  // The forward pass padded x explicitly and ran a valid convolution: the adjoint cuts the pad off.
  const [rows, columns] = window.padding.pad;
  const padded = `[${x[0]}.shape[0], ${x[0]}.shape[1] + ${2 * rows}, ${x[0]}.shape[2] + ${2 * columns}, ${x[0]}.shape[3]]`;
  const full = `tf.conv2dTranspose(${dy} as tf.Tensor4D, ${weights.kernel}, ${padded}, ${strides}, 'valid')`;
  return [`tf.slice(${full}, [0, ${rows}, ${columns}, 0], ${x[0]}.shape)`];
};

const dense: Vjp = ({ node, y, g, weights }) => [
  `tf.matMul(${throughActivation(activation(node), y, g, leakyAlpha(node.attrs))}, ${weights.kernel}, false, true)`,
];

/** The cotangent of a pooled [N, C] or [N, 1, 1, C] value spread back over [N, H, W, C]. */
const spread = (x: string, g: string) =>
  `tf.broadcastTo(tf.reshape(${g}, [${x}.shape[0], 1, 1, ${x}.shape[3]]), ${x}.shape)`;

const gap: Vjp = ({ x, g }) => [`tf.div(${spread(x[0]!, g)}, ${x[0]}.shape[1] * ${x[0]}.shape[2])`];

const gmp: Vjp = ({ x, y, g }) => [
  `tf.mul(${spread(x[0]!, g)}, tf.cast(tf.equal(${x[0]}, ${spread(x[0]!, y)}), 'float32'))`,
];

const reshape: Vjp = ({ x, g }) => [`tf.reshape(${g}, ${x[0]}.shape)`];

const fromOutput =
  (name: ActivationName): Vjp =>
  ({ node, y, g }) => [throughActivation(name, y, g, leakyAlpha(node.attrs))];

const softmax: Vjp = ({ node, y, g }) => {
  const axis = reader(node).int('axis');
  return [`tf.mul(${y}, tf.sub(${g}, tf.sum(tf.mul(${g}, ${y}), ${axis}, true)))`];
};

/**
 * hardSigmoid, as the module computes it (min(max(αx + β, 0), 1)): α·g where 0 ≤ αx + β ≤ 1, as
 * tfjs's maximum and minimum pass ties to their first input and the executor's clip keeps both bounds.
 */
const hardSigmoid: Vjp = ({ node, x, g }) => {
  const read = reader(node);
  const alpha = read.number('alpha');
  const z = `tf.add(tf.mul(${x[0]}, ${alpha}), ${read.number('beta')})`;
  const inside = `tf.logicalAnd(tf.greaterEqual(${z}, 0), tf.lessEqual(${z}, 1))`;
  return [`tf.mul(tf.mul(${g}, tf.cast(${inside}, 'float32')), ${alpha})`];
};

/** prelu: g where x > 0, α_c·g elsewhere, as tfjs's gradient (the slope's own is not needed). */
const prelu: Vjp = ({ x, g, weights }) => [`tf.where(tf.greater(${x[0]}, 0), ${g}, tf.mul(${g}, ${weights.alpha}))`];

const add: Vjp = ({ node, graph, g }) => {
  const same = node.inputs.every((i) => sameShape(graph.nodes[i]!, node));
  return same ? node.inputs.map(() => g) : undefined;
};

const sameShape = (a: IRNode, b: IRNode) =>
  a.type.shape.length === b.type.shape.length &&
  a.type.shape.every((d, i) => JSON.stringify(d) === JSON.stringify(b.type.shape[i]));

const upsample: Vjp = ({ node, x, g }) => {
  const read = reader(node);
  if (read.text('mode') !== 'bilinear') return undefined;
  return [
    `resizeBilinearAdjoint(${g}, ${x[0]}.shape[1], ${x[0]}.shape[2], ${read.bool('alignCorners')}, ${read.bool('halfPixel')})`,
  ];
};

const VJPS: Readonly<Record<string, Vjp>> = {
  conv,
  dense,
  gap,
  gmp,
  flatten: reshape,
  reshape,
  dropout: ({ g }) => [g],
  relu: fromOutput('relu'),
  sigmoid: fromOutput('sigmoid'),
  tanh: fromOutput('tanh'),
  leakyRelu: fromOutput('leakyRelu'),
  hardSigmoid,
  prelu,
  softmax,
  add,
  upsample,
};

/** The matrix M [out, in] of one axis of tfjs's bilinear resize (y = M x), at run time. */
export const RESIZE_ADJOINT: EmitHelper = {
  name: 'resizeBilinearAdjoint',
  parameters: [
    { name: 'g', type: 'tf.Tensor' },
    { name: 'height', type: 'number' },
    { name: 'width', type: 'number' },
    { name: 'alignCorners', type: 'boolean' },
    { name: 'halfPixel', type: 'boolean' },
  ],
  returnType: 'tf.Tensor4D',
  docs: "The adjoint of `tf.image.resizeBilinear` to [height, width]: the cotangent g [N, h, w, C] times each axis's interpolation matrix transposed, with tfjs's source positions (which its ResizeBilinearGrad kernel computes without half-pixel centres).",
  statements: [
    'const axis = (to: number, from: number): tf.Tensor2D => {',
    '  const corners = alignCorners && to > 1;',
    '  const ratio = (corners ? from - 1 : from) / (corners ? to - 1 : to);',
    '  const matrix = new Float32Array(to * from);',
    '  for (let i = 0; i < to; i++) {',
    '    const source = halfPixel ? ratio * (i + 0.5) - 0.5 : ratio * i;',
    '    const low = Math.max(0, Math.floor(source));',
    '    const high = Math.min(from - 1, Math.ceil(source));',
    '    const fraction = source - low;',
    '    matrix[i * from + low]! += 1 - fraction;',
    '    matrix[i * from + high]! += fraction;',
    '  }',
    '  return tf.tensor2d(matrix, [to, from]);',
    '};',
    'const [count, rows, columns, channels] = g.shape as [number, number, number, number];',
    '// Rows: [h, in H]ᵀ · g as [h, N·w·C]; then columns the same way.',
    'const byRows = tf.reshape(tf.transpose(g, [1, 0, 2, 3]), [rows, -1]);',
    'const outRows = tf.reshape(tf.matMul(axis(rows, height), byRows as tf.Tensor2D, true, false), [height, count, columns, channels]);',
    'const byColumns = tf.reshape(tf.transpose(outRows, [2, 1, 0, 3]), [columns, -1]);',
    'const outColumns = tf.reshape(tf.matMul(axis(columns, width), byColumns as tf.Tensor2D, true, false), [width, count, height, channels]);',
    'return tf.transpose(outColumns, [1, 2, 0, 3]) as tf.Tensor4D;',
  ],
};

/** Whether every op from the target to the score has a product here. */
export function derivableOps(graph: Graph, target: number, score: number): boolean {
  const path = pathNodes(graph, target, score);
  if (!path.has(score)) return false;
  return [...path].every((id) => id === target || graph.nodes[id]!.op in VJPS);
}

/**
 * Whether a convolution after the target dilates: tfjs has no gradient for those, so the `tf.grad`
 * fallback cannot differentiate the path either (the interpreter spreads the kernel instead).
 */
export function dilatedOnPath(graph: Graph, target: number, score: number): boolean {
  return [...pathNodes(graph, target, score)].some((id) => {
    const node = graph.nodes[id]!;
    const params = findOp(node.op)?.params ?? [];
    if (id === target || !params.some((p) => p.name === 'dilation')) return false;
    return readConvolution(node.op, params, node.attrs).window.dilation.some((d) => d > 1);
  });
}

/**
 * The forward values the derivative reads, by node id: those its products use. Undefined when
 * no derivative is emitted for the path (an op without a product, or a case of one it refuses).
 */
export function derivativeReads(graph: Graph, target: number, score: number): number[] | undefined {
  const code = emitDerivative(
    graph,
    target,
    score,
    () => 'value',
    () => new Proxy({}, { get: () => 'weight' }),
  );
  return code ? [...code.reads] : undefined;
}

export interface DerivativeCode {
  readonly statements: readonly string[];
  readonly helpers: readonly EmitHelper[];
  /** The forward values read, by node id. */
  readonly reads: readonly number[];
}

/**
 * The body of `(seen, selector) => ∂(Σ selector ⊙ score)/∂A`: `value(id)` is the expression of a
 * kept forward value, `weights(id)` the roles of a layer's prepared weights. Undefined when an op
 * on the path has no product here.
 */
export function emitDerivative(
  graph: Graph,
  target: number,
  score: number,
  value: (id: number) => string,
  weights: (id: number) => Readonly<Record<string, string>>,
): DerivativeCode | undefined {
  const path = pathNodes(graph, target, score);
  if (!derivableOps(graph, target, score)) return undefined;
  const body: string[] = [];
  const local = (id: number) => `v${id}`;
  // The selector is shaped to broadcast against the score ([N, 1, 1, C] for per-pixel scores).
  const contributions = new Map<number, string[]>([[score, [`tf.broadcastTo(selector, ${local(score)}.shape)`]]]);
  const total = (parts: readonly string[]) => (parts.length === 1 ? parts[0]! : `tf.addN([${parts.join(', ')}])`);
  let helpers: EmitHelper[] = [];
  for (const node of [...graph.nodes].reverse()) {
    const parts = contributions.get(node.id);
    if (!path.has(node.id) || node.id === target || !parts) continue;
    const g = `g${node.id}`;
    const type = tensorTypeName(node.type);
    body.push(`// ${lineCommentText(`∂score/∂${node.name} (${node.op})`)}`, `const ${g} = ${total(parts)} as ${type};`);
    const cotangents = VJPS[node.op]!({
      node,
      graph,
      x: node.inputs.map(local),
      y: local(node.id),
      g,
      weights: weights(node.id),
    });
    if (!cotangents) return undefined;
    if (node.op === 'upsample') helpers = [RESIZE_ADJOINT];
    node.inputs.forEach((input, index) => {
      const cotangent = cotangents[index];
      if (cotangent && path.has(input)) contributions.set(input, [...(contributions.get(input) ?? []), cotangent]);
    });
  }
  const parts = contributions.get(target);
  if (!parts) return undefined;
  body.push(`return ${total(parts)} as tf.Tensor4D;`);
  const text = body.join('\n');
  const reads = [...new Set([...text.matchAll(/\bv(\d+)\b/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
  const declarations = reads.map(
    (id) => `const ${local(id)} = ${value(id)} as ${tensorTypeName(graph.nodes[id]!.type)};`,
  );
  return { statements: [...declarations, ...body], helpers, reads };
}
