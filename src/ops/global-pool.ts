/**
 * Builds the global pools (gap, gmp): one value per channel over all spatial positions.
 * They declare no receptive-field step: their output sees the whole input whatever its size,
 * and the summary treats them as global rather than as a window.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { dim } from '../shapes/symbolic.js';
import { AttributeReader } from './attributes.js';
import { channelsOf, expectFeatureMap, inputAt, perElement, tensorType } from './common.js';
import type { Attrs, OpDef, ParamSpec, Tfjs } from './op.js';
import { featureMap } from './params.js';

export interface GlobalPoolSpec {
  readonly name: string;
  readonly summary: string;
  readonly reduce: (tf: Tfjs, x: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor;
  /** The tfjs reduction `reduce` calls (`mean`, `max`), for the code generator. */
  readonly kernel: string;
  /** What it pools by (`OpDef.globalPool`). */
  readonly pool: 'average' | 'max';
}

const PARAMS: readonly ParamSpec[] = [
  featureMap,
  { name: 'keep', type: 'bool', default: false, doc: 'keep the spatial axes: [N, 1, 1, C] instead of [N, C]' },
];

export function globalPoolOp(spec: GlobalPoolSpec): OpDef {
  const keep = (attrs: Attrs) => new AttributeReader(spec.name, PARAMS, attrs).bool('keep');
  return {
    name: spec.name,
    summary: spec.summary,
    notes:
      '[N, H, W, C] → [N, C], or [N, 1, 1, C] with `keep: true`. No receptive-field step: the output sees the whole input.',
    params: PARAMS,
    spatial: 'global',
    globalPool: spec.pool,
    shape(inputs, attrs, context) {
      const x = expectFeatureMap(spec.name, inputAt(spec.name, inputs, 0, 'x'), context);
      const channels = dim(channelsOf(spec.name, x));
      return tensorType(keep(attrs) ? [x.shape[0]!, dim(1), dim(1), channels] : [x.shape[0]!, channels]);
    },
    flops: (inputs) => perElement(inputs[0]!, 1),
    execute: ({ tf, inputs, attrs }) => spec.reduce(tf, inputs[0]!, [1, 2], keep(attrs)),
    emit: ({ inputs, attrs }) => ({
      expression: `tf.${spec.kernel}(${inputs[0]}, [1, 2]${keep(attrs) ? ', true' : ''})`,
    }),
  };
}
