/**
 * Every op of the language, one line each. Adding an op: its file, a line here, its tests and
 * a regenerated docs/ops.md (`npx tsx scripts/gen-ops-doc.ts`).
 */
import { add } from './add.js';
import { argmax } from './argmax.js';
import { avgpool } from './avgpool.js';
import { bn } from './bn.js';
import { channels } from './channels.js';
import { concat } from './concat.js';
import { conv } from './conv.js';
import { convTranspose } from './conv-transpose.js';
import { crop } from './crop.js';
import { dense } from './dense.js';
import { dropout } from './dropout.js';
import { dwconv } from './dwconv.js';
import { erase } from './erase.js';
import { flatten } from './flatten.js';
import { gap } from './gap.js';
import { gmp } from './gmp.js';
import { hardSigmoid } from './hard-sigmoid.js';
import { hardSwish } from './hard-swish.js';
import { leakyRelu } from './leaky-relu.js';
import { max } from './max.js';
import { maxpool } from './maxpool.js';
import { mul } from './mul.js';
import type { OpDef } from './op.js';
import { pad } from './pad.js';
import { prelu } from './prelu.js';
import { relu } from './relu.js';
import { relu6 } from './relu6.js';
import { reshape } from './reshape.js';
import { sepconv } from './sepconv.js';
import { sigmoid } from './sigmoid.js';
import { softmax } from './softmax.js';
import { tanh } from './tanh.js';
import { upsample } from './upsample.js';

export const OPS: readonly OpDef[] = [
  conv,
  dwconv,
  sepconv,
  convTranspose,
  dense,
  bn,
  relu,
  relu6,
  leakyRelu,
  prelu,
  sigmoid,
  tanh,
  softmax,
  hardSwish,
  hardSigmoid,
  maxpool,
  avgpool,
  gap,
  gmp,
  upsample,
  concat,
  add,
  mul,
  max,
  dropout,
  flatten,
  reshape,
  pad,
  crop,
  channels,
  argmax,
  erase,
];

const BY_NAME = new Map(OPS.map((op) => [op.name, op]));

export function findOp(name: string): OpDef | undefined {
  return BY_NAME.get(name);
}
