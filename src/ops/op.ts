/**
 * What an operation is. Every operation of the language lives in one file under src/ops that
 * exports one `OpDef`: its arguments, its shape rule, its weights, its cost, its receptive
 * field, and how it executes on tfjs. All op files are listed in registry.ts.
 *
 * Op files import tfjs-core as types only: `execute` receives the tfjs namespace from the
 * executor (`ExecuteArgs.tf`), so loading the registry to parse, check or compile a model never
 * evaluates the tensor library (`segc check` starts without it).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Dim } from '../shapes/symbolic.js';
import type { ShapeContext, TensorType } from '../shapes/types.js';

export { ShapeError } from '../shapes/types.js';
export type { DType, EqualityCheck, ShapeContext, TensorType, TooSmall } from '../shapes/types.js';

/** A compile-time attribute value after evaluation. */
export type AttrValue = number | string | boolean | readonly AttrValue[] | null;
export type Attrs = Readonly<Record<string, AttrValue>>;

/**
 * The type of an argument as the user writes it.
 * - `tensor`: one tensor input; `tensors`: a list of tensor inputs (positional tensors after the
 *   first are gathered into it, so `max(a, b)` and `max([a, b])` mean the same).
 * - `int2`: an int or a pair `[h, w]` (kernel sizes, strides), normalised to a pair.
 * - `enum`: one of `values`; the user may write it as a bare name (`mode: bilinear`) or a string.
 */
export type ParamType =
  | 'tensor'
  | 'tensors'
  | 'int'
  | 'float'
  | 'bool'
  | 'string'
  | 'int2'
  | 'int[]'
  | 'float[]'
  | { readonly enum: readonly string[] };

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  /** Absent: required. `null`: optional with no value (e.g. `size` when `factor` is given). */
  readonly default?: AttrValue;
  readonly doc: string;
  /** Only by name (`stride: 2`), never by position: where a position would be ambiguous. */
  readonly named?: boolean;
}

export type Initializer = 'heNormal' | 'glorotUniform' | 'zeros' | 'ones';

/** A weight an op instance owns. Shapes are always concrete: channels are never symbolic. */
export interface WeightSpec {
  /** `kernel`, `bias`, `gamma`, `beta`, `movingMean`, `movingVariance`, `depthwiseKernel`, ... */
  readonly role: string;
  readonly shape: readonly number[];
  readonly init: Initializer;
  /** False for batch-norm running statistics: not counted as parameters, not trained. */
  readonly trainable: boolean;
}

/** Per-axis receptive-field growth: an extent in input pixels and a stride (< 1 upsamples). */
export interface ReceptiveFieldStep {
  readonly extent: number;
  readonly stride: number;
}

export interface RunContext {
  readonly training: boolean;
  /** Target class per batch item, for ops whose training semantics read labels (ACoL erase). */
  readonly targetClasses?: tf.Tensor1D;
  /** Seed for dropout and other random ops; advanced per op call by the executor. */
  readonly seed: number;
  /** True when a gradient will be taken through this run (forces differentiable kernels). */
  readonly needsGradient: boolean;
  /**
   * Training-mode state updates (batch-norm moving statistics): the op hands the new value of
   * one of its non-trainable weights, by role; the executor assigns it after the step.
   */
  readonly updateState?: (role: string, value: tf.Tensor) => void;
}

/** The tfjs-core namespace an op executes on, handed in by the executor. */
export type Tfjs = typeof tf;

export interface ExecuteArgs {
  readonly tf: Tfjs;
  readonly inputs: readonly tf.Tensor[];
  /** Weights by role. */
  readonly weights: Readonly<Record<string, tf.Tensor>>;
  readonly attrs: Attrs;
  readonly context: RunContext;
}

/**
 * What an op's `emit` receives: the code generator has already named every tensor, so each
 * entry is a plain identifier or property access, never text from a `.seg` file.
 */
export interface EmitArgs {
  /** Expressions for the tensor inputs, in the order `execute` receives them. */
  readonly inputs: readonly string[];
  /** Expressions for the weights by role (batch-norm folding already applied, as in the executor). */
  readonly weights: Readonly<Record<string, string>>;
  readonly attrs: Attrs;
  readonly inputTypes: readonly TensorType[];
  readonly output: TensorType;
  /** Writes a compile-time value as a TypeScript literal: numbers exactly, strings quoted safely. */
  readonly literal: (value: AttrValue | readonly number[]) => string;
  /** The tfjs type of a tensor of this type (`tf.Tensor4D`), for casts where tfjs's typings lose the rank. */
  readonly typeName: (type: TensorType) => string;
}

/** A module-level function an emitted call relies on, written once per generated module. */
export interface EmitHelper {
  readonly name: string;
  readonly typeParameters?: readonly string[];
  readonly parameters: readonly { readonly name: string; readonly type: string }[];
  readonly returnType: string;
  readonly docs: string;
  readonly statements: readonly string[];
}

/** An emitted inference call: one expression over `tf` (tfjs-core), and the helpers it calls. */
export interface Emitted {
  readonly expression: string;
  readonly helpers?: readonly EmitHelper[];
}

export interface OpDef {
  /** The name used in `.seg` files. */
  readonly name: string;
  /** One line, for the docs table and hover. */
  readonly summary: string;
  /** Conventions worth knowing (padding, rounding, defaults chosen), for the docs and hover. */
  readonly notes?: string;
  /** Arguments in positional order; tensor arguments come first. */
  readonly params: readonly ParamSpec[];
  /** The hint when a call passes too many positional arguments (what the op does not take). */
  readonly positionalHint?: string;
  /** Checks attribute values beyond their types (a positive kernel size, ...). */
  validate?(attrs: Attrs): string | undefined;
  /**
   * How the op moves spatial positions, beyond its `receptiveField` step: `global` sees the
   * whole input (global pooling, flatten, dense, reshape); `merge` combines aligned inputs, whose
   * finest output stride the result keeps (concat, add). Absent: the first input's positions.
   */
  readonly spatial?: 'global' | 'merge';
  /**
   * False for an op with no gradient (its output is discrete: argmax's class indices). Every
   * other op has a gradient case in the tests, checked against finite differences.
   */
  readonly differentiable?: false;
  /**
   * How a `merge` op combines its aligned inputs: side by side along an axis (`concat`: the
   * branches of an ASPP module) or element by element (`sum`, `product`, `maximum`: ACoL's
   * fused class map is the maximum of its two branches).
   */
  readonly combines?: 'concat' | 'sum' | 'product' | 'maximum';
  /**
   * Global pooling of each channel over all spatial positions: its output is one value per
   * channel (a NIN head's class scores; the GAP of a CAM head when `average`).
   */
  readonly globalPool?: 'average' | 'max';
  /**
   * The op turns scores into probabilities: `softmax` across classes, `sigmoid` per score. The
   * explanations take the score before it (gradients of probabilities saturate), and readers of
   * an output know its values are probabilities already.
   */
  readonly outputActivation?: 'softmax' | 'sigmoid';
  /**
   * Without a fused activation, output channel c is Σ_k w[k, c] · x_k + b[c] over the input's
   * last axis, with `kernel` the weight role of w ([K, C]): after a global average pool, class
   * c's activation map is exact (CAM).
   */
  readonly linearInChannels?: { readonly kernel: string };
  /**
   * Resizes its first input spatially, each channel on its own (upsampling): an upsampled class
   * map is still a class map, and the upsampling that ends a model is no Grad-CAM target.
   */
  readonly resamples?: boolean;
  /**
   * ACoL erasing: zeroes features where the class map held by the tensor param `classMaps` is
   * high, for the target class while training (so training needs labels) or the predicted one.
   */
  readonly erasing?: { readonly classMaps: string };
  /** Per position and channel, one tensor in, the same shape out (bn, activations, dropout). */
  readonly channelwise?: boolean;
  /**
   * True when a node of this op passes its first input through unchanged at inference with
   * these attributes and input types (dropout; upsample by 1; a pad or crop of 0).
   */
  identityWhen?(attrs: Attrs, inputs: readonly TensorType[]): boolean;
  /**
   * This op is a value of the `activation` attribute of ops that fuse one (`fusesActivation`):
   * the fuse-activation pass merges it into such a producer, copying its attributes.
   */
  readonly fusableActivation?: boolean;
  /** An activation after this op can be merged into its `activation` attribute at inference. */
  readonly fusesActivation?: boolean;
  /** This op is an inference batch norm the fold-batch-norm pass folds into its producer. */
  readonly foldableBatchNorm?: boolean;
  /**
   * A batch norm after this op folds into its weights at inference: `kernel` is the weight role
   * whose last axis is the output channel; `depthwise` when output channels span the last two
   * axes ([kh, kw, C, multiplier]).
   */
  readonly foldsBatchNorm?: { readonly kernel: string; readonly depthwise?: boolean };
  /**
   * Tensor params whose value is read only for its shape (`upsample(like:)`): no data flows
   * from them, so explanations and gradients do not follow them.
   */
  readonly shapeOnlyInputs?: readonly string[];
  /**
   * The fan-in used to initialise a weight of this role when Keras's rule from its shape is
   * wrong (depthwise kernels: each output sees one input channel, so kh·kw).
   */
  fanIn?(role: string, shape: readonly number[]): number | undefined;
  /**
   * The output type, or a ShapeError. `inputs` follow the order of the tensor params; a
   * `tensors` param contributes all its tensors; an optional tensor param that was not given
   * (default `null`) contributes none. `execute` receives its inputs in the same order.
   */
  shape(inputs: readonly TensorType[], attrs: Attrs, context: ShapeContext): TensorType;
  weights?(inputs: readonly TensorType[], attrs: Attrs): readonly WeightSpec[];
  /** Floating-point operations for one forward pass (a multiply-add counts 2). */
  flops?(inputs: readonly TensorType[], output: TensorType, attrs: Attrs): Dim;
  /**
   * Spatial receptive-field step of a node of this op, from its attributes, input types and
   * output type (`upsample(size:)` and `upsample(like:)` measure theirs from the sizes); absent
   * means the op keeps spatial positions (extent 1, stride 1).
   */
  receptiveField?(node: OpNode): ReceptiveFieldStep;
  execute(args: ExecuteArgs): tf.Tensor;
  /**
   * The inference path of `execute` as TypeScript over `tf` (tfjs-core): the same kernels with
   * the same arguments, so generated code reproduces the interpreter bit for bit.
   */
  emit?(args: EmitArgs): Emitted;
}

/** What an op's node-level rules see of a node: its attributes and its input and output types. */
export interface OpNode {
  readonly attrs: Attrs;
  readonly inputs: readonly TensorType[];
  readonly output: TensorType;
}

/** The attributes and weight roles a pass adds when it folds a batch norm into the op. */
export const FOLDED_BATCH_NORM_ATTRIBUTE = 'foldedBatchNorm';
export const BATCH_NORM_PREFIX = 'bn.';
export const BATCH_NORM_ROLES = ['gamma', 'beta', 'movingMean', 'movingVariance'] as const;

/**
 * What the inference passes may add to a node of this op beyond its params and `weights`, as
 * its declarations allow: a folded batch norm's epsilon and four weights (`foldsBatchNorm`),
 * and the attributes of a fused activation (`fusesActivation`: a leaky ReLU's `alpha`).
 * Verification rejects anything else.
 */
export function passAdditions(
  op: OpDef,
  activations: readonly OpDef[],
): { readonly attrs: ReadonlySet<string>; readonly weightRoles: ReadonlySet<string> } {
  const attrs = new Set<string>();
  const weightRoles = new Set<string>();
  if (op.foldsBatchNorm) {
    attrs.add(FOLDED_BATCH_NORM_ATTRIBUTE);
    for (const role of BATCH_NORM_ROLES) weightRoles.add(`${BATCH_NORM_PREFIX}${role}`);
  }
  if (op.fusesActivation)
    for (const activation of activations.filter((a) => a.fusableActivation))
      for (const param of attributeParams(activation)) attrs.add(param.name);
  return { attrs, weightRoles };
}

/** The tensor-typed params of an op, in order. */
export function tensorParams(op: OpDef): ParamSpec[] {
  return op.params.filter((p) => p.type === 'tensor' || p.type === 'tensors');
}

/** The attribute (non-tensor) params of an op, in order. */
export function attributeParams(op: OpDef): ParamSpec[] {
  return op.params.filter((p) => p.type !== 'tensor' && p.type !== 'tensors');
}
