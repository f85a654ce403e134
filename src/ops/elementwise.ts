/**
 * Builds the element-wise ops (activations): same shape out as in, any rank, float only.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { AttributeReader } from './attributes.js';
import { expectFloat, inputAt, perElement } from './common.js';
import type { Attrs, EmitArgs, OpDef, ParamSpec, ShapeContext, TensorType, Tfjs } from './op.js';
import { anyTensor } from './params.js';

export interface ElementwiseSpec {
  readonly name: string;
  readonly summary: string;
  readonly notes?: string;
  readonly params?: readonly ParamSpec[];
  /** Per position and channel (every activation; not softmax, which mixes channels). */
  readonly channelwise?: boolean;
  /** The op may be fused into a producer's `activation` attribute (see `OpDef.fusableActivation`). */
  readonly fusableActivation?: boolean;
  /** The op turns scores into probabilities (see `OpDef.outputActivation`). */
  readonly outputActivation?: 'softmax' | 'sigmoid';
  /** Operations per element, for the cost estimate. */
  readonly cost: number;
  readonly validate?: (read: AttributeReader) => string | undefined;
  /** Extra shape checks (an axis in range). */
  readonly check?: (x: TensorType, read: AttributeReader, context: ShapeContext) => void;
  readonly apply: (tf: Tfjs, x: tf.Tensor, read: AttributeReader) => tf.Tensor;
  /** `apply` as code over `tf`, for the code generator. */
  readonly emit?: (x: string, read: AttributeReader, args: EmitArgs) => string;
}

export function elementwiseOp(spec: ElementwiseSpec): OpDef {
  const params = [anyTensor, ...(spec.params ?? [])];
  const read = (attrs: Attrs) => new AttributeReader(spec.name, params, attrs);
  return {
    name: spec.name,
    summary: spec.summary,
    ...(spec.notes ? { notes: spec.notes } : {}),
    params,
    ...(spec.channelwise ? { channelwise: true } : {}),
    ...(spec.fusableActivation ? { fusableActivation: true } : {}),
    ...(spec.outputActivation ? { outputActivation: spec.outputActivation } : {}),
    ...(spec.validate ? { validate: (attrs: Attrs) => spec.validate!(read(attrs)) } : {}),
    shape(inputs, attrs, context) {
      const x = inputAt(spec.name, inputs, 0, 'x');
      expectFloat(spec.name, x, 'x');
      spec.check?.(x, read(attrs), context);
      return x;
    },
    flops: (_inputs, output) => perElement(output, spec.cost),
    execute: ({ tf, inputs, attrs }) => spec.apply(tf, inputs[0]!, read(attrs)),
    ...(spec.emit
      ? { emit: (args: EmitArgs) => ({ expression: spec.emit!(args.inputs[0]!, read(args.attrs), args) }) }
      : {}),
  };
}
