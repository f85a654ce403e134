/**
 * Parameters shared by several ops, so that `stride` or `padding` means the same thing and
 * reads the same in the docs wherever it appears.
 */
import type { AttrValue, ParamSpec } from './op.js';

export const ACTIVATIONS = ['none', 'relu', 'relu6', 'sigmoid', 'tanh', 'leakyRelu'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export const featureMap: ParamSpec = { name: 'x', type: 'tensor', doc: 'the input feature map [N, H, W, C]' };
export const anyTensor: ParamSpec = { name: 'x', type: 'tensor', doc: 'the input tensor' };
export const tensorList: ParamSpec = { name: 'inputs', type: 'tensors', doc: 'the tensors to combine (at least two)' };

export const filters: ParamSpec = { name: 'filters', type: 'int', doc: 'output channels' };

export function kernel(fallback: AttrValue): ParamSpec {
  return { name: 'kernel', type: 'int2', default: fallback, doc: 'kernel size [kh, kw] (an int means square)' };
}

export function stride(fallback: AttrValue): ParamSpec {
  return { name: 'stride', type: 'int2', default: fallback, doc: 'step between windows [sh, sw]' };
}

export const dilation: ParamSpec = {
  name: 'dilation',
  type: 'int2',
  default: 1,
  doc: 'atrous rate: kernel taps are this many pixels apart',
};

export function padding(fallback: 'same' | 'valid'): ParamSpec {
  return {
    name: 'padding',
    type: { enum: ['same', 'valid'] },
    default: fallback,
    doc: 'same: output size ceil(H / stride); valid: only windows fully inside the input',
  };
}

export const explicitPad: ParamSpec = {
  name: 'pad',
  type: 'int2',
  default: null,
  doc: 'explicit symmetric zero padding [rows, cols]; overrides `padding`',
};

export const bias: ParamSpec = {
  name: 'bias',
  type: 'bool',
  default: true,
  doc: 'add a learned bias per output channel',
};

export const activation: ParamSpec = {
  name: 'activation',
  type: { enum: ACTIVATIONS },
  default: 'none',
  doc: 'activation applied to the output',
};
