/**
 * The mistakes of a new user writing `.seg` from the docs alone, each with the exact diagnostic
 * it gets (`line:col code message`) and its hint: one error per mistake, at the mistake.
 */
import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/ir/analysis/summary.js';
import { parse, print } from '../../src/parser/index.js';
import { compileText, diagnose, hints } from '../helpers/compile.js';

const model = (body: string, input = 'f32[N, H, W, 3]') => `model M() {\n  input x: ${input}\n${body}\n}\n`;

function parameters(source: string, options = {}): number {
  const { models, diagnostics } = compileText(source, options);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return summarize(models[0]!.graph!, models[0]!.sizes).trainableParams;
}

describe('sizes are values', () => {
  it("std's squeeze-excitation block reads its channel count with shape(x)", () => {
    const source = `import { SqueezeExcitation } from "std/backbones.seg"\n${model('  output y = x -> conv(32, 3) -> SqueezeExcitation(ratio: 4)')}`;
    // conv 3·3·3·32 + 32; SE 32·8 + 8 and 8·32 + 32
    expect(parameters(source)).toBe(896 + 264 + 288);
  });

  it('gives ints where sizes are known and symbolic sizes where they depend on the input', () => {
    const source = model(
      '  let (n, h, w, c) = shape(x -> conv(8, 3, stride: 2))\n  output y = x -> conv(c * 2, 1) -> conv(h, 1)',
    );
    expect(diagnose(source)).toEqual([
      '3:8 W0290 `n` is never used',
      '3:14 W0290 `w` is never used',
      '4:42 E0224 the argument `filters` of `conv`: expected int, got size ceil(H/2)',
    ]);
    expect(hints(source)[2]).toBe(
      'this size depends on the input; fix it in the input type (`f32[N, 224, 224, 3]`) or with `--input H,W`',
    );
    expect(diagnose(source, { inputSize: [64, 64] }).filter((d) => d.includes('E'))).toEqual([]);
  });

  it('computes with symbolic sizes, and folds them back to ints when the symbols cancel', () => {
    const source = model('  let h = shape(x)[1]\n  output y = x -> conv(h * 0 + 3, 1) -> conv(h / 2 + 1, 1)');
    expect(diagnose(source)).toEqual([
      '4:46 E0224 the argument `filters` of `conv`: expected int, got size floor(H/2) + 1',
    ]);
    expect(diagnose(source.replace('h / 2 + 1', '3'), { inputSize: [32, 32] })).toEqual([]);
  });

  it('refuses to compare a size that depends on the input', () => {
    const source = model('  let h = shape(x)[1]\n  output y = h > 64 ? x -> conv(8, 3) : x');
    expect(diagnose(source)).toEqual(['4:14 E0267 cannot compare H with 64: it depends on the input size']);
  });

  it('InvertedResidual expands its input channels: 24 → 32 at expansion 6 is 24·144 + 144·9 + 144·32 weights', () => {
    const source = `import { InvertedResidual } from "std/backbones.seg"\n${model('  output y = x -> conv(24, 1, bias: false) -> InvertedResidual(32, stride: 2)', 'f32[N, 16, 16, 3]')}`;
    const graph = compileText(source).models[0]!.graph!;
    const kernels = graph.nodes
      .filter((n) => n.op === 'conv' || n.op === 'dwconv')
      .map((n) => n.weights.find((w) => w.trainable)!.shape);
    expect(kernels).toEqual([
      [1, 1, 3, 24],
      [1, 1, 24, 144],
      [3, 3, 144, 1],
      [1, 1, 144, 32],
    ]);
  });

  it("a MobileNetV2 written with std's blocks has torchvision's 3,504,872 parameters", () => {
    const source = `import { MobileNetV2 } from "std/backbones.seg"
model Net(classes: int = 1000) {
  input image: f32[N, 224, 224, 3]
  output logits = image -> MobileNetV2 -> gap -> dropout(0.2) -> dense(classes)
}
`;
    expect(parameters(source)).toBe(3_504_872);
  });
});

describe('one error per mistake', () => {
  it('a shape error poisons what uses it: no wrong arity messages on later lines', () => {
    const source = `model M() {
  input x: f32[N, 8, 8, 3]
  let a = add(x -> conv(4, 1), x)
  let b = add(a, a)
  let d = mul(b, b)
  output y = max(d -> relu, d)
}
`;
    expect(diagnose(source)).toEqual(['3:15 E0301 the inputs of add have 4 and 3 channels']);
  });
});

const UNET = `block Down(x, filters: int) {
  return x -> maxpool(2) -> conv(filters, 3) -> relu
}
block Up(x, skip, filters: int) {
  return concat([x -> convTranspose(filters, 2, stride: 2), skip]) -> conv(filters, 3) -> relu
}
model UNet() {
  input x: f32[N, H, W, 3]
  let l1 = x -> conv(8, 3) -> relu
  let l2 = l1 -> Down(16)
  let l3 = l2 -> Down(32)
  let bottom = l3 -> Down(64)
  output y = bottom -> Up(l3, 32) -> Up(l2, 16) -> Up(l1, 8) -> conv(2, 1)
}
`;

describe('counterexamples a person recognises', () => {
  it('a U-Net without `where` gets the concat mismatch for odd sizes, rows and columns in one error', () => {
    expect(diagnose(UNET)).toEqual([
      '5:17 E0301 with H = 36, W = 36 the inputs of concat have 8 and 9 rows and 8 and 9 columns',
    ]);
    expect(hints(UNET)).toEqual([
      "the sizes agree when `H % 8 == 0`, `W % 8 == 0`: add them to the input's `where` clause",
    ]);
  });

  it('with the suggested clause the U-Net checks', () => {
    expect(diagnose(UNET.replace('f32[N, H, W, 3]', 'f32[N, H, W, 3] where H % 8 == 0, W % 8 == 0'))).toEqual([]);
  });

  it('a window too large for the smallest inputs is one error that names the sizes that fit', () => {
    const source = model(
      '  output y = x -> conv(8, 3) -> maxpool(2) -> maxpool(2) -> conv(8, 5, padding: valid) -> gap',
    );
    expect(diagnose(source)).toEqual([
      '3:33 E0301 maxpool: with H = 1, W = 1 the output would have no rows and no columns: the input is smaller than the window extent 2',
    ]);
    expect(hints(source)).toEqual([
      "every window fits when `H >= 20`, `W >= 20`: add them to the input's `where` clause",
    ]);
  });
});

describe('checks', () => {
  it('an unsatisfiable `where` is an error naming the clauses that conflict', () => {
    const source = model('  output y = x -> conv(8, 3)', 'f32[N, H, W, 3] where H % 2 == 1, H >= 8, H % 4 == 0');
    expect(diagnose(source)).toEqual(['2:54 E0285 no size of `H` satisfies `H % 2 == 1` and `H % 4 == 0` together']);
    const [diagnostic] = compileText(source).diagnostics;
    expect(diagnostic!.related?.map((r) => `${r.span.start.line}:${r.span.start.column} ${r.message}`)).toEqual([
      '2:34 `H % 2 == 1` is here',
    ]);
  });

  it('a clause no size satisfies on its own', () => {
    expect(diagnose(model('  output y = x -> conv(8, 3)', 'f32[N, H, W, 3] where H < 1'))).toEqual([
      '2:34 E0285 no size of `H` satisfies `H < 1`',
    ]);
  });

  it('a channels-first input is linted, with the NHWC spelling as the hint', () => {
    const source = model('  output y = x -> conv(8, 3)', 'f32[N, 3, 224, 224]');
    expect(diagnose(source)).toEqual([
      '2:12 W0286 input `x` looks channels-first: `f32[N, 3, 224, 224]` has 3 rows and 224 channels',
    ]);
    expect(hints(source)).toEqual(['shapes are NHWC (channels last): write `f32[N, 224, 224, 3]`']);
    expect(diagnose(model('  output y = x -> conv(8, 1)', 'f32[N, 1, 1, 512]'))).toEqual([]);
  });

  it('dwconv takes only its kernel by position: dwconv(32, 3) is not read as kernel 32, stride 3', () => {
    const source = model('  output y = x -> dwconv(32, 3)');
    expect(diagnose(source)).toEqual([
      '3:30 E0222 `dwconv` takes at most 2 positional arguments (counting the piped input)',
    ]);
    expect(hints(source)[0]).toBe(
      'dwconv keeps the channel count of its input (`multiplier:` multiplies it), so it takes no filter count; after the kernel, arguments are named: `dwconv(3, stride: 2)`',
    );
    expect(diagnose(model('  output y = x -> dwconv(3, stride: 2) -> gap'))).toEqual([]);
  });
});

describe('messages', () => {
  it('flatten → dense on a symbolic input names the size, and --input fixes it', () => {
    const source = model('  output y = x -> conv(8, 3, stride: 16) -> flatten -> dense(4)');
    expect(diagnose(source)).toEqual([
      '3:56 E0301 dense: the channel count of `x` is 8*ceil(H/16)*ceil(W/16), which depends on the input size',
    ]);
    expect(hints(source)).toEqual([
      'fix the input size (`f32[N, 224, 224, 3]`, or `--input 224,224`), or pool to a known channel count first with `gap`',
    ]);
    // 14·14·8 inputs to 4 units
    expect(parameters(source, { inputSize: [224, 224] })).toBe(3 * 3 * 3 * 8 + 8 + 14 * 14 * 8 * 4 + 4);
  });

  it('mul of an [N, C] gate with [N, H, W, C] features names the ranks and suggests gap(keep: true)', () => {
    const source = model(
      '  let g = x -> conv(32, 3) -> gap -> dense(32) -> sigmoid\n  output y = mul(g, x -> conv(32, 3))',
    );
    expect(diagnose(source)).toEqual([
      '4:18 E0301 the inputs of mul have ranks 2 and 4, [N, 32] and [N, H, W, 32], which do not broadcast',
    ]);
    expect(hints(source)[0]).toBe(
      'shapes align from the right, so the 2-D input meets the last 2 axes of the 4-D one; for a per-channel gate keep the spatial axes with `gap(keep: true)` ([N, 1, 1, C])',
    );
  });

  it('endless recursion shows the cycle once; recursion with a base case is accepted', () => {
    const source = `block A(x) {\n  return x -> B\n}\nblock B(x) {\n  return x -> conv(4, 1) -> A\n}\n${model('  output y = x -> A')}`;
    expect(diagnose(source)).toEqual(['5:29 E0240 `A` calls itself without end: A → B → A (64 calls deep)']);
    const [diagnostic] = compileText(source).diagnostics;
    expect(diagnostic!.related?.map((r) => `${r.span.start.line}:${r.span.start.column} ${r.message}`)).toEqual([
      '9:19 the first call of `A`',
      '2:15 `B` is called here',
    ]);
    expect(diagnostic!.hint).toBe(
      'a recursive block must stop: make the call depend on a parameter that shrinks, as in `depth > 0 ? (x -> A(depth - 1)) : x`',
    );
    const based = `block R(x, depth: int) {\n  return depth > 0 ? (x -> conv(4, 3) -> R(depth - 1)) : x\n}\n${model('  output y = x -> R(3)')}`;
    expect(diagnose(based)).toEqual([]);
  });

  it('type text is printed once', () => {
    const source = model('  let t = (x, x)\n  output y = x -> conv(t) -> conv([x])');
    expect(diagnose(source)).toEqual([
      '4:24 E0224 the argument `filters` of `conv`: expected int, got (tensor, tensor)',
      '4:35 E0224 the argument `filters` of `conv`: expected int, got tensor[]',
    ]);
    expect(hints(source)).toEqual([
      'a tensor goes first, or is piped in: `x -> conv(...)`',
      'a tensor goes first, or is piped in: `x -> conv(...)`',
    ]);
  });

  it('repeat counts and input sizes say the value they got', () => {
    expect(diagnose(model('  output y = x -> repeat 2.0 { relu }'))).toEqual([
      '3:26 E0266 repeat needs a count that is an int ≥ 0, got float 2.0',
    ]);
    expect(diagnose(model('  output y = x -> relu', 'f32[N, 0, W, 3]'))).toEqual([
      '2:19 E0281 a tensor size must be an int ≥ 1 or a size symbol, got int 0',
    ]);
  });

  it('a missing import file suggests the file nearby', () => {
    const source = `import { GapHead } from "std/head.seg"\n${model('  output y = x -> GapHead(10)')}`;
    expect(diagnose(source)).toEqual(['1:25 E0201 cannot find the file `std/head.seg`']);
    expect(hints(source)).toEqual(['did you mean `std/heads.seg`?']);
  });
});

describe('formatter', () => {
  const format = (source: string) => print(parse(source, 'test.seg').program);

  it('breaks a nested repeat into a body inside braces', () => {
    const source = `block B(x) {
  let groups = [[1, 16, 1, 1], [6, 24, 2, 2]]
  return x -> repeat len(groups) as g { conv(groups[g][1], 3, stride: groups[g][3], bias: false) -> bn -> relu6 -> repeat groups[g][2] - 1 { conv(groups[g][1], 3, bias: false) -> bn -> relu6 } }
}
`;
    const expected = `block B(x) {
  let groups = [[1, 16, 1, 1], [6, 24, 2, 2]]
  return x
    -> repeat len(groups) as g {
      conv(groups[g][1], 3, stride: groups[g][3], bias: false) -> bn -> relu6
        -> repeat groups[g][2] - 1 { conv(groups[g][1], 3, bias: false) -> bn -> relu6 }
    }
}
`;
    expect(format(source)).toBe(expected);
    expect(format(expected)).toBe(expected);
  });

  it('puts a branch that does not fit beside its condition on its own line, `?` first', () => {
    const source = `block S(x, deep: bool) {
  return deep ? (x -> conv(64, 3, stride: 2, bias: false) -> bn -> relu -> conv(64, 3, bias: false) -> bn -> relu) : (x -> conv(64, 1))
}
`;
    const expected = `block S(x, deep: bool) {
  return deep
    ? (x
      -> conv(64, 3, stride: 2, bias: false) -> bn -> relu
      -> conv(64, 3, bias: false) -> bn -> relu)
    : (x -> conv(64, 1))
}
`;
    expect(format(source)).toBe(expected);
    expect(format(expected)).toBe(expected);
  });
});
