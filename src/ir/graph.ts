/**
 * The IR: a typed dataflow graph with blocks expanded and compile-time values evaluated. Every
 * later stage (interpreter, code generation, explanations, training) reads this and nothing
 * else. Nodes are stored in topological order; a node's inputs are ids of earlier nodes.
 */
import type { Preprocessing } from './preprocessing.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type { Attrs, AttrValue, TensorType, WeightSpec } from '../ops/op.js';

export const IR_VERSION = 1;

/** A block call that produced a node: the block's name and where it was called. */
export interface CallSite {
  readonly block: string;
  readonly span: Span;
}

export interface Annotation {
  readonly name: string;
  readonly args: readonly (number | string | boolean)[];
}

export interface IRWeight extends WeightSpec {
  /** Stable hierarchical name derived from the source: `enc/branches/1/conv/kernel`. */
  readonly name: string;
}

export interface IRNode {
  readonly id: number;
  /** An op name from the registry, or `input` for a model input. */
  readonly op: string;
  /** Ids of the tensors this node reads, in the op's tensor-parameter order. */
  readonly inputs: readonly number[];
  readonly attrs: Attrs;
  /** Stable hierarchical name: `enc/branches/1/conv`. Unique within the graph. */
  readonly name: string;
  readonly type: TensorType;
  readonly weights: readonly IRWeight[];
  readonly span: Span;
  /** Block call sites, outermost first. */
  readonly callChain: readonly CallSite[];
  readonly annotations: readonly Annotation[];
  /** The `let`/`output` name this node was bound to in the source, if any. */
  readonly binding?: string;
}

export interface SizeSymbol {
  readonly name: string;
  /** The constraints that mention it, as written (`H % 16 == 0`). */
  readonly constraints: readonly string[];
}

export interface GraphInput {
  readonly name: string;
  readonly node: number;
  /** How an image becomes this tensor, when the input declares it (`@preprocess`); else the defaults. */
  readonly preprocessing?: Preprocessing;
}

export interface GraphOutput {
  readonly name: string;
  readonly node: number;
  readonly span: Span;
}

export interface Graph {
  readonly model: string;
  readonly doc?: string;
  /** The model parameters the graph was elaborated with (`classes: 21`). */
  readonly params: Readonly<Record<string, AttrValue>>;
  readonly nodes: readonly IRNode[];
  readonly inputs: readonly GraphInput[];
  readonly outputs: readonly GraphOutput[];
  readonly symbols: readonly SizeSymbol[];
  /** Size constraints as written, each with the symbols it mentions. */
  readonly constraints: readonly { readonly text: string; readonly symbols: readonly string[] }[];
}
