/**
 * Leaky relu with a learned slope per channel (PReLU, He et al. 2015), as TensorFlow's `Prelu`,
 * ONNX's `PRelu` and PyTorch's `nn.PReLU(C)` compute it.
 */
import { channelsOf, expectFloat, formatShape, inputAt, perElement } from './common.js';
import { weightOf } from './convolution.js';
import { type OpDef, type ParamSpec, ShapeError } from './op.js';

const NAME = 'prelu';
const PARAMS: readonly ParamSpec[] = [{ name: 'x', type: 'tensor', doc: 'the input [N, H, W, C] or [N, C]' }];

export const prelu: OpDef = {
  name: NAME,
  summary: 'x for x > 0, alpha[c] * x otherwise, with a learned slope per channel',
  notes:
    'Weight: `alpha` [C], trainable, initialised to zeros (Keras’s default: the op starts as relu; PyTorch starts ' +
    'at 0.25). Imported tfjs graph models with `Prelu`, and ONNX `PRelu`, carry their slopes here.',
  params: PARAMS,
  channelwise: true,
  shape(inputs, _attrs, context) {
    const x = inputAt(NAME, inputs, 0, 'x');
    if (x.shape.length !== 2 && x.shape.length !== 4)
      throw new ShapeError(`${NAME}: expected [N, H, W, C] or [N, C] for \`x\`, got ${formatShape(x, context)}`, 'x');
    expectFloat(NAME, x, 'x');
    channelsOf(NAME, x);
    return x;
  },
  weights: (inputs) => [{ role: 'alpha', shape: [channelsOf(NAME, inputs[0]!)], init: 'zeros', trainable: true }],
  flops: (_inputs, output) => perElement(output, 3),
  execute: ({ tf, inputs, weights }) => tf.prelu(inputs[0]!, weightOf(NAME, weights, 'alpha')),
  // tfjs types `alpha` as the input's rank; the slope is [C] and broadcasts.
  emit: ({ inputs, weights, output, typeName }) => ({
    expression: `tf.prelu(${inputs[0]}, ${weights.alpha} as tf.Tensor) as ${typeName(output)}`,
  }),
};
