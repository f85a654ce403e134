/**
 * Dropout, stated in the language rather than hidden in the runtime: identity at inference;
 * in training each element is zeroed with probability `rate` and the rest scaled by
 * 1 / (1 - rate), from the run's seed so a step can be replayed exactly.
 */
import { dim } from '../shapes/symbolic.js';
import { AttributeReader } from './attributes.js';
import { expectFloat, inputAt } from './common.js';
import type { Attrs, OpDef, ParamSpec } from './op.js';
import { anyTensor } from './params.js';

const NAME = 'dropout';
const PARAMS: readonly ParamSpec[] = [
  anyTensor,
  { name: 'rate', type: 'float', default: 0.5, doc: 'probability of zeroing an element in training' },
];
const rateOf = (attrs: Attrs) => new AttributeReader(NAME, PARAMS, attrs).number('rate');

export const dropout: OpDef = {
  name: NAME,
  summary: 'training only: zero elements with probability `rate`, scale the rest by 1 / (1 - rate)',
  notes:
    'Identity at inference (costed as 0). The mask comes from `context.seed`, which the executor advances per call.',
  params: PARAMS,
  channelwise: true,
  identityWhen: () => true,
  validate(attrs) {
    const rate = rateOf(attrs);
    return rate >= 0 && rate < 1 ? undefined : `\`rate\` must be at least 0 and below 1, got ${rate}`;
  },
  shape(inputs) {
    const x = inputAt(NAME, inputs, 0, 'x');
    expectFloat(NAME, x, 'x');
    return x;
  },
  flops: () => dim(0),
  execute({ tf, inputs, attrs, context }) {
    const rate = rateOf(attrs);
    const x = inputs[0]!;
    // A clone, not the input itself: the executor may dispose outputs and inputs separately.
    if (!context.training || rate === 0) return tf.clone(x);
    return tf.dropout(x, rate, undefined, context.seed);
  },
  // The identity at inference; a clone keeps the output a tensor of its own, as `execute` does.
  emit: ({ inputs }) => ({ expression: `tf.clone(${inputs[0]})` }),
};
