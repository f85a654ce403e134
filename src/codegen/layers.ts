/**
 * The body of a generated model's forward pass: one `const` per layer of the inference graph,
 * named after the `.seg` binding or node path, typed with its rank, headed by a comment with
 * its `.seg` location, and computed by the op's own `emit` (the same tfjs call as the
 * interpreter's `execute`). A tensor is released right after its last reader, as the executor
 * does, so peak memory stays the same; the enclosing `tf.tidy` catches the rest.
 */
import type { Graph, IRNode } from '../ir/graph.js';
import { type EmitHelper, FOLDED_BATCH_NORM_ATTRIBUTE, type OpDef, type TensorType } from '../ops/op.js';
import { findOp } from '../ops/registry.js';
import { Namer, camelCase } from './identifiers.js';
import type { Lines } from './lines.js';
import { lineCommentText, literal, quote } from './text.js';
import { type LayerWeights, layerWeights, member } from './weights.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export interface LayerPlan {
  /** The local holding each node's value. */
  readonly locals: ReadonlyMap<number, string>;
  readonly statements: readonly string[];
  /** Initializers of the prepared-weights object, by property name. */
  readonly weights: readonly { readonly name: string; readonly initializer: Lines }[];
  readonly helpers: readonly EmitHelper[];
}

/** `tf.Tensor4D` for a rank-4 type. */
export function tensorTypeName(type: TensorType): string {
  const rank = type.shape.length;
  if (rank === 0) return 'tf.Scalar';
  return rank <= 6 ? `tf.Tensor${rank}D` : 'tf.Tensor';
}

function requireEmit(node: IRNode): OpDef & Required<Pick<OpDef, 'emit'>> {
  const op = findOp(node.op);
  if (op?.emit) return op as OpDef & Required<Pick<OpDef, 'emit'>>;
  throw diagnosticError(codes.opNotGeneratable, `\`${node.op}\` (${node.name}) cannot be generated as code yet`, {
    hint: 'run this model with the interpreter (`segc run`), or use an op that has code generation',
    span: node.span,
  });
}

/** The local's name: the `.seg` binding for a tensor the model itself names, else its node path. */
function baseName(node: IRNode): string {
  return node.callChain.length === 0 && node.binding !== undefined ? node.binding : node.name;
}

/** What the layer computes, for its comment: `conv + bn + relu`. */
function describe(node: IRNode): string {
  const parts = [node.op];
  if (node.attrs[FOLDED_BATCH_NORM_ATTRIBUTE] !== undefined) parts.push('bn');
  const activation = node.attrs.activation;
  const takesActivation = findOp(node.op)?.params.some((p) => p.name === 'activation') === true;
  if (takesActivation && typeof activation === 'string' && activation !== 'none') parts.push(activation);
  return parts.join(' + ');
}

/** `// name: conv + bn + relu (std/heads.seg:14, in ASPP at model.seg:16)` */
function comment(node: IRNode): string {
  const at = (span: IRNode['span']) => `${span.file}:${span.start.line}`;
  const calls = [...node.callChain].reverse().map((call) => `in ${call.block} at ${at(call.span)}`);
  return `// ${lineCommentText(`${node.name}: ${describe(node)} (${[at(node.span), ...calls].join(', ')})`)}`;
}

/** For each node, the index of the last node that reads it. */
function lastReaders(graph: Graph): number[] {
  const last = graph.nodes.map(() => -1);
  for (const node of graph.nodes) for (const input of node.inputs) last[input] = node.id;
  return last;
}

function disposal(
  node: IRNode,
  graph: Graph,
  last: readonly number[],
  held: ReadonlySet<number>,
  locals: ReadonlyMap<number, string>,
): string | undefined {
  const released = [...new Set(node.inputs)].filter(
    (i) => last[i] === node.id && !held.has(i) && graph.nodes[i]!.op !== 'input',
  );
  if (released.length === 0) return undefined;
  const names = released.map((i) => locals.get(i)!);
  return names.length === 1 ? `tf.dispose(${names[0]});` : `tf.dispose([${names.join(', ')}]);`;
}

/** Inputs and outputs are named as the model names them; every other tensor after its binding or path. */
function nameLocals(graph: Graph, namer: Namer): Map<number, string> {
  const locals = new Map<number, string>();
  const claim = (node: number, name: string) => locals.has(node) || locals.set(node, namer.claim(camelCase(name)));
  for (const input of graph.inputs) claim(input.node, input.name);
  for (const output of graph.outputs) claim(output.node, output.name);
  for (const node of graph.nodes) claim(node.id, baseName(node));
  return locals;
}

/**
 * Plans the forward pass. `held` are nodes whose values are returned (outputs, class maps);
 * `inputAccess` gives the expression of a model input; `reserved` are names the body must
 * not shadow; `weightsObject` is the prepared-weights object's name; `taps` are the layers
 * Grad-CAM reads or replaces, by the source name the code refers to them with.
 */
export function planLayers(
  graph: Graph,
  held: ReadonlySet<number>,
  inputAccess: (name: string) => string,
  reserved: Iterable<string>,
  weightsObject: string,
  taps: ReadonlyMap<number, string> = new Map(),
): LayerPlan {
  const locals = nameLocals(graph, new Namer(reserved));
  const last = lastReaders(graph);
  const statements: string[] = [];
  const weights: { name: string; initializer: Lines }[] = [];
  const helpers: EmitHelper[] = [];
  for (const input of graph.inputs) statements.push(`const ${locals.get(input.node)} = ${inputAccess(input.name)};`);
  for (const node of graph.nodes) {
    if (node.op === 'input') continue;
    const op = requireEmit(node);
    const local = locals.get(node.id)!;
    const prepared: LayerWeights | undefined =
      node.weights.length > 0 ? layerWeights(node, member(weightsObject, local)) : undefined;
    if (prepared) {
      weights.push({ name: local, initializer: prepared.initializer });
      helpers.push(...prepared.helpers);
    }
    const emitted = op.emit({
      inputs: node.inputs.map((i) => locals.get(i)!),
      weights: prepared?.roles ?? {},
      attrs: node.attrs,
      inputTypes: node.inputs.map((i) => graph.nodes[i]!.type),
      output: node.type,
      literal,
      typeName: tensorTypeName,
    });
    helpers.push(...(emitted.helpers ?? []));
    const type = tensorTypeName(node.type);
    const tap = taps.get(node.id);
    const value =
      tap === undefined ? emitted.expression : `tapped<${type}>(tap, ${quote(tap)}, () => ${emitted.expression})`;
    statements.push(comment(node), `const ${local}: ${type} = ${value};`);
    const release = disposal(node, graph, last, held, locals);
    if (release) statements.push(release);
  }
  return { locals, statements, weights, helpers: uniqueHelpers(helpers) };
}

function uniqueHelpers(helpers: readonly EmitHelper[]): EmitHelper[] {
  const byName = new Map<string, EmitHelper>();
  for (const helper of helpers) if (!byName.has(helper.name)) byName.set(helper.name, helper);
  return [...byName.values()];
}

/** The helper names a graph's ops may call, found before naming locals so none shadows them. */
export function helperNames(graph: Graph): string[] {
  const names = new Set<string>();
  for (const node of graph.nodes) {
    if (node.op === 'input') continue;
    if (node.attrs.foldedBatchNorm !== undefined) names.add('foldBatchNorm');
    const emitted = requireEmit(node).emit({
      inputs: node.inputs.map((_, index) => `input${index}`),
      weights: Object.fromEntries(node.weights.map((w) => [w.role, w.role])),
      attrs: node.attrs,
      inputTypes: node.inputs.map((i) => graph.nodes[i]!.type),
      output: node.type,
      literal,
      typeName: tensorTypeName,
    });
    for (const helper of emitted.helpers ?? []) names.add(helper.name);
  }
  return [...names];
}
