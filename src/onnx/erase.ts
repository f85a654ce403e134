/**
 * ACoL's erase at inference: per image, the class with the largest mean in `by`; that class's
 * map normalised to [0, 1] by its minimum and maximum (a flat map gives 0); `x` zeroed where
 * the normalised map reaches the threshold. All in NCHW, with the class picked by a one-hot mask.
 */
import { AttributeReader } from '../ops/attributes.js';
import { findOp } from '../ops/registry.js';
import { type LowerArgs, type Lowering, UnsupportedError, nchw, scalar } from './lowering.js';

export const erase: Lowering = (args: LowerArgs) =>
  nchw(args.builder.add('Mul', [args.builder.as(args.inputs[0]!, 'nchw'), keepMask(args)], {}, args.origin));

/** 1 where `x` survives, 0 where it is erased: [N, 1, H, W], NCHW. Its derivative is zero. */
export function keepMask(args: LowerArgs): string {
  const threshold = new AttributeReader('erase', findOp('erase')!.params, args.node.attrs).number('threshold');
  const classCount = args.inputTypes[1]!.shape[3]!;
  if (classCount.kind !== 'const')
    throw new UnsupportedError('erase with a class map whose channel count is not fixed');
  const { builder } = args;
  const by = builder.as(args.inputs[1]!, 'nchw');
  const step = (op: string, inputs: string[], label: string, attributes = {}) =>
    builder.add(op, inputs, attributes, { ...args.origin, name: `${args.origin.name}/${label}` });
  const ints = (label: string, values: number[]) => builder.int64s(`${args.node.name}/${label}`, values);
  const means = step('ReduceMean', [by], 'class_means', { axes: [2, 3], keepdims: 0 });
  const chosen = step('ArgMax', [means], 'class', { axis: 1, keepdims: 1 });
  const indices = ints(
    'classes',
    Array.from({ length: classCount.value }, (_, c) => c),
  );
  const oneHot = step('Cast', [step('Equal', [indices, chosen], 'is_class')], 'one_hot', { to: 1 });
  const pick = step('Unsqueeze', [oneHot, ints('pick_axes', [2, 3])], 'pick');
  const map = step('ReduceSum', [step('Mul', [by, pick], 'picked'), ints('class_axis', [1])], 'map', { keepdims: 1 });
  const low = step('ReduceMin', [map], 'low', { axes: [2, 3], keepdims: 1 });
  const range = step('Sub', [step('ReduceMax', [map], 'high', { axes: [2, 3], keepdims: 1 }), low], 'range');
  const zero = scalar(args, 'zero', 0);
  const safeRange = step(
    'Where',
    [step('Greater', [range, zero], 'varies'), range, scalar(args, 'one', 1)],
    'safe_range',
  );
  const normalised = step('Div', [step('Sub', [map, low], 'shifted'), safeRange], 'normalised');
  return step('Cast', [step('Less', [normalised, scalar(args, 'threshold', threshold)], 'below')], 'keep', { to: 1 });
}
