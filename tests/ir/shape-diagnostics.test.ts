/**
 * Shape mistakes through the whole compiler: each case writes the source inline and asserts the
 * exact message and line:col; sizes that only disagree for some inputs are reported with a
 * concrete size that breaks them.
 */
import { describe, expect, it } from 'vitest';
import { compileText, diagnose } from '../helpers/compile.js';

const M = (body: string, where = ' where H % 16 == 0, W % 16 == 0') =>
  `model M(classes: int = 4) {\n  input image: f32[N, H, W, 3]${where}\n${body}\n}\n`;

const CASES: Readonly<Record<string, { source: string; expected: string }>> = {
  poolOnFlat: {
    source: M('  output y = image -> gap -> maxpool(2)'),
    expected: '3:30 E0301 maxpool: expected a 4-D feature map [N, H, W, C] for `x`, got [N, 3]',
  },
  flattenSymbolic: {
    source: M('  output y = image -> conv(8, 3, stride: 16) -> flatten -> dense(4)'),
    expected: '3:60 E0301 dense: the channel count of `x` is 8*ceil(H/16)*ceil(W/16), which depends on the input size',
  },
  argmaxAxis: {
    source: M('  output y = image -> argmax(axis: 5)'),
    expected: '3:30 E0301 argmax: axis 5 is out of range for a tensor of rank 4',
  },
  asppPoolingNotUpsampled: {
    source: M(
      '  let f = image -> conv(32, 3, stride: 16)\n  output y = concat([f -> conv(64, 1), f -> gap(keep: true) -> conv(64, 1)])',
    ),
    expected: '4:21 E0301 with H = 32, W = 32 the inputs of concat have 2 and 1 rows and 2 and 1 columns',
  },
  upsampleLikeVector: {
    source: M('  output y = image -> upsample(like: image -> gap)'),
    expected: '3:32 E0301 upsample: `like` must have spatial axes [N, H, W, ...], got [N, 3]',
  },
  cropTooMuch: {
    source: M('  output y = image -> crop([40, 40])', ' where H % 16 == 0, W % 16 == 0, H <= 64'),
    expected: '3:23 E0301 crop: with H = 16 the output would have no rows: removing 80 rows leaves nothing',
  },
  eraseMapFlat: {
    source: M('  let f = image -> conv(8, 3)\n  output y = erase(f, by: f -> gap)'),
    expected: '4:23 E0301 erase: expected a 4-D feature map [N, H, W, C] for `by`, got [N, 8]',
  },
  maxChannels: {
    source: M('  output y = max(image -> conv(4, 1), image -> conv(5, 1))'),
    expected: '3:18 E0301 the inputs of max have 4 and 5 channels',
  },
  deeplab: {
    source:
      `block Encoder(x) {\n  let low = x -> conv(16, 3, stride: 4)\n  let high = low -> conv(32, 3, stride: 4)\n  return (low, high)\n}\nblock Decoder(low, high) {\n  return concat([high -> upsample(factor: 4), low])\n}\n` +
      M('  let (low, high) = Encoder(image)\n  output y = Decoder(low, high)', ''),
    expected: '7:17 E0301 with H = 33, W = 33 the inputs of concat have 12 and 9 rows and 12 and 9 columns',
  },
  asppChannels: {
    source: M(
      '  let f = image -> conv(32, 3, stride: 16)\n  output y = add([f -> conv(64, 1), f -> conv(64, 3, dilation: 6), f -> conv(48, 3, dilation: 12)])',
    ),
    expected: '4:18 E0301 the inputs of add have 64 and 48 channels',
  },
  denseOn4d: {
    source: M('  output y = image -> conv(8, 3) -> dense(10)'),
    expected: '3:37 E0301 dense: expected a flat [N, C] tensor for `x`, got [N, H, W, 8]',
  },
  eraseSize: {
    source: M('  let f = image -> conv(8, 3)\n  let m = f -> conv(4, 1, stride: 2)\n  output y = erase(f, by: m)'),
    expected: '5:23 E0301 with H = 32 the feature map of erase has 32 rows but its class map `by` has 16',
  },
  upsampleTwo: {
    source: M('  output y = image -> upsample(factor: 2, size: [4, 4])'),
    expected: '3:43 E0301 upsample: give only one of `factor`, `size` or `like`, got `factor` and `size`',
  },
  reshape: {
    source: M('  output y = image -> gap -> reshape([5, 5])'),
    expected: '3:38 E0301 the input of reshape has 3 values per batch item but the target shape [5, 5] holds 25',
  },
  mulBroadcast: {
    source: M('  let f = image -> conv(8, 3)\n  output y = mul(f, f -> gap(keep: true) -> conv(4, 1))'),
    expected: '4:18 E0301 the inputs of mul have 8 and 4 channels',
  },
  convOnVector: {
    source: M('  output y = image -> gap -> conv(8, 3)'),
    expected: '3:30 E0301 conv: expected a 4-D feature map [N, H, W, C] for `x`, got [N, 3]',
  },
  concatBatchless: {
    source: M('  output y = concat([image -> gap, image -> conv(8, 3)])'),
    expected: '3:21 E0301 concat: input 2 has rank 4 but input 1 has rank 2',
  },
  fixedInput: {
    source: M(
      '  output y = image -> conv(8, 3, stride: 32) -> upsample(factor: 32) -> add(image -> conv(8, 3))',
      ' where H % 8 == 0, W % 8 == 0',
    ),
    expected: '3:73 E0301 with H = 40, W = 40 the inputs of add have 64 and 40 rows and 64 and 40 columns',
  },
  channelsRange: {
    source: M('  output y = image -> channels(2, 9)'),
    expected: '3:32 E0301 channels: the range [2, 9) does not fit the 3 channels of `x`',
  },
  validTooSmall: {
    source: `model M() {\n  input image: f32[N, 5, 5, 3]\n  output y = image -> conv(8, 7, padding: valid)\n}\n`,
    expected:
      '3:23 E0301 conv: the output would have no rows and no columns: the input is smaller than the window extent 7',
  },
  cropLike: {
    source: M(
      '  let a = image -> conv(8, 3, stride: 2)\n  output y = crop(image, like: a -> upsample(factor: 4)) ',
      '',
    ),
    expected: '4:26 E0301 crop: with H = 1 `like` has 4 rows but `x` has only 1',
  },
};

describe('shape diagnostics', () => {
  it.each(Object.entries(CASES))('%s', (_name, { source, expected }) => {
    expect(diagnose(source)).toEqual([expected]);
  });

  it('names the constraint that settles a size mismatch, and the block call chain', () => {
    const [diagnostic] = compileText(CASES.deeplab!.source).diagnostics;
    expect(diagnostic!.hint).toBe(
      "the sizes agree when `H % 16 == 0`, `W % 16 == 0`: add them to the input's `where` clause",
    );
    expect(diagnostic!.related?.map((r) => `${r.span.start.line}:${r.span.start.column} ${r.message}`)).toEqual([
      '12:14 in block `Decoder` called here',
    ]);
  });

  it('has no shape error once the constraint is added, and the decoder lint notices the missing upsample', () => {
    const fixed = CASES.deeplab!.source.replace('f32[N, H, W, 3]', 'f32[N, H, W, 3] where H % 16 == 0, W % 16 == 0');
    expect(diagnose(fixed)).toEqual([
      '12:3 W0311 output `y` is H/4×W/4 but the input is H×W: the decoder does not return to the input size',
    ]);
  });

  it('uses the fixed size of --input in the message', () => {
    const source = CASES.deeplab!.source;
    expect(diagnose(source, { inputSize: [513, 513] })).toEqual([
      '7:17 E0301 with H = 513, W = 513 the inputs of concat have 132 and 129 rows and 132 and 129 columns',
    ]);
  });

  it('rejects a fixed input size that breaks a where clause', () => {
    const source = M('  output y = image -> conv(8, 3)');
    expect(diagnose(source, { inputSize: [513, 512] })).toEqual([
      '1:7 E0284 the input size H = 513 breaks `H % 16 == 0` of model `M`',
    ]);
  });

  it('lets a later output read an earlier one by name', () => {
    expect(diagnose(M('  output logits = image -> conv(4, 1)\n  output mask = argmax(logits, axis: -1)'))).toEqual([]);
  });

  it('warns when an equality can be neither proved nor refuted', () => {
    const source =
      'model M() {\n  input a: f32[N, H, W, 3]\n  input b: f32[N, W, H, 3]\n  output y = add(a -> flatten, b -> flatten)\n}\n';
    expect(diagnose(source)).toEqual([
      '4:14 W0302 add: cannot prove for every input size that 3*H*W equals 3*W*H; it holds for every size tried',
    ]);
  });
});
