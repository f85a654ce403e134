/**
 * Name resolution and call checking: each case writes the source inline and asserts the exact
 * diagnostics (line:col, code, message) and the hint of the first one.
 */
import { describe, expect, it } from 'vitest';
import { compileText, diagnose } from '../helpers/compile.js';

const model = (body: string, params = 'classes: int = 4') =>
  `model M(${params}) {\n  input image: f32[N, H, W, 3] where H % 16 == 0, W % 16 == 0\n${body}\n}\n`;

interface Case {
  readonly source: string;
  readonly expected: readonly string[];
  readonly hint?: string;
}

const CASES: Readonly<Record<string, Case>> = {
  'a misspelt name': {
    source: model('  output y = imge -> conv(8, 3)'),
    expected: ['3:14 E0210 unknown name `imge`'],
    hint: 'did you mean `image`?',
  },
  'a misspelt operation': {
    source: model('  output y = image -> cnv(8, 3)'),
    expected: ['3:23 E0211 unknown block or operation `cnv`'],
    hint: 'did you mean `conv`?',
  },
  'a misspelt argument': {
    source: model('  output y = image -> conv(8, 3, dilaton: 2)'),
    expected: ['3:34 E0220 `conv` has no parameter named `dilaton`'],
    hint: 'did you mean `dilation`?',
  },
  'an argument given twice': {
    source: model('  output y = image -> conv(8, 3, kernel: 3)'),
    expected: ['3:34 E0221 the argument `kernel` of `conv` is given twice'],
    hint: 'remove one of them',
  },
  'too many positional arguments': {
    source: model('  output y = image -> relu(1)'),
    expected: ['3:28 E0222 `relu` takes at most 1 positional argument (counting the piped input)'],
    hint: 'the signature is relu(x: tensor)',
  },
  'a missing argument': {
    source: model('  output y = image -> conv'),
    expected: ['3:23 E0223 `conv` is missing the argument `filters`'],
  },
  'a float where an int is needed': {
    source: model('  output y = image -> conv(8, 1.5)'),
    expected: ['3:31 E0224 the argument `kernel` of `conv`: expected int | [int, int], got float 1.5'],
  },
  'a misspelt enum value': {
    source: model('  output y = image -> upsample(factor: 2, mode: bilinar)'),
    expected: [
      '3:43 E0224 the argument `mode` of `upsample`: expected nearest | bilinear, got string "bilinar"; did you mean `bilinear`?',
    ],
  },
  'a use before the definition': {
    source: model('  let a = b -> relu\n  let b = image -> relu\n  output y = a'),
    expected: ['3:11 E0209 `b` is used before it is defined (line 4)', '4:7 W0290 `b` is never used'],
    hint: 'move the `let` above its first use',
  },
  'a name bound twice': {
    source: model('  let a = image -> relu\n  let a = image -> relu\n  output y = a'),
    expected: ['3:7 W0290 `a` is never used', '4:7 E0207 `a` is already defined (line 3)'],
  },
  'a block used as a value': {
    source: `block B(x) {\n  return x -> relu\n}\n${model('  output y = B')}`,
    expected: ['6:14 E0212 `B` is a block, not a value'],
    hint: 'call it: `B(...)`, or use it as a pipeline stage: `x -> B`',
  },
  'a value called': {
    source: model('  let f = image -> relu\n  output y = image -> f(2)'),
    expected: ['4:23 E0213 `f` is a value, not a block or operation'],
  },
  'a model called': {
    source: `model A() {\n  input i: f32[N, 8, 8, 3]\n  output o = i -> relu\n}\n${model('  output y = image -> A')}`,
    expected: ['7:23 E0214 `A` is a model; only blocks can be called'],
  },
  'a recursive block': {
    source: `block R(x) {\n  return x -> R\n}\n${model('  output y = image -> R')}`,
    expected: ['2:15 E0240 `R` calls itself without end: R → R (64 calls deep)'],
  },
  'a block without return': {
    source: `block B(x) {\n  let y = x -> relu\n}\n${model('  output y = image -> B')}`,
    expected: ['1:7 E0250 block `B` has no `return`', '2:7 W0290 `y` is never used'],
  },
  'an input inside a block': {
    source: `block B(x) {\n  input z: f32[N, 1]\n  return x\n}\n${model('  output y = image -> B')}`,
    expected: ['2:3 E0252 `input` belongs in a model, not in block `B`'],
  },
  'a return inside a model': {
    source: model('  return image'),
    expected: ['1:7 E0254 model `M` has no output', '3:3 E0253 `return` belongs in a block, not in model `M`'],
  },
  'a tuple of the wrong size': {
    source: `block B(x) {\n  return (x, x)\n}\n${model('  let (a, b, c) = B(image)\n  output y = a')}`,
    expected: [
      '6:3 E0251 `let (a, b, c)` needs 3 values, got 2 values',
      '6:11 W0290 `b` is never used',
      '6:14 W0290 `c` is never used',
    ],
  },
  'a division by zero': {
    source: model('  output y = image -> conv(8 / 0, 3)'),
    expected: ['3:28 E0260 division by zero'],
  },
  'a condition that is not a bool': {
    source: model('  output y = image -> conv(classes ? 8 : 4, 3)'),
    expected: ['3:28 E0262 a condition must be a bool, got int'],
  },
  'an index out of range': {
    source: model('  let r = [1, 2]\n  output y = image -> conv(8, 3, dilation: r[5])'),
    expected: ['4:46 E0265 index 5 is out of range for a list of 2'],
  },
  'a misspelt annotation': {
    source: model('  output y = image -> conv(8, 3) @clasmap'),
    expected: ['3:35 E0270 unknown annotation `@clasmap`'],
    hint: 'did you mean `classmap`?',
  },
  'an unknown parameter type': {
    source: `block B(x, c: integer = 3) {\n  return x -> conv(c, 3)\n}\n${model('  output y = image -> B')}`,
    expected: ['1:15 E0208 unknown type `integer`'],
  },
  'an unknown element type': {
    source: 'model M() {\n  input image: f64[N, 8, 8, 3]\n  output y = image -> relu\n}\n',
    expected: ['2:16 E0280 unknown element type `f64`'],
  },
  'a constraint that is not a condition': {
    source: 'model M() {\n  input image: f32[N, H, 8, 3] where H + 1\n  output y = image -> relu\n}\n',
    expected: ['2:38 E0282 a `where` constraint must be a condition, got int'],
  },
  'arithmetic on tensors': {
    source: model('  output y = image + image'),
    expected: ['3:14 E0263 `+` works on compile-time values, not tensors'],
    hint: 'combine tensors with `add(a, b)`, `mul(a, b)` or `max(a, b)`',
  },
  'a repeat count that is not an int': {
    source: model('  output y = image -> repeat 2.5 { relu }'),
    expected: ['3:30 E0266 repeat needs a count that is an int ≥ 0, got float 2.5'],
  },
  'an import of a missing name': {
    source: `import { Foo } from "std/heads.seg"\n${model('  output y = image -> relu')}`,
    expected: ['1:10 E0203 `std/heads.seg` has no block or model named `Foo`'],
  },
  'an import of a missing file': {
    source: `import { Foo } from "./nope.seg"\n${model('  output y = image -> relu')}`,
    expected: ['1:21 E0201 cannot find the file `nope.seg`'],
  },
  'a declaration repeated': {
    source: `block B(x) {\n  return x\n}\nblock B(x) {\n  return x\n}\n${model('  output y = image -> B')}`,
    expected: ['4:7 E0205 `B` is declared twice in this file (first at line 1)'],
  },
  'an unused block parameter': {
    source: `block B(x, k: int = 3) {\n  return x -> relu\n}\n${model('  output y = image -> B')}`,
    expected: ['1:12 W0291 the parameter `k` of `B` is never used'],
  },
  'a comprehension over an int': {
    source: model('  output y = concat([for r in 3: image -> conv(8, 3, dilation: r)])'),
    expected: ['3:31 E0261 a comprehension iterates over a list, got int'],
    hint: 'use `range(n)` to repeat n times',
  },
  'an output that is not a tensor': {
    source: model('  output y = 3'),
    expected: ['3:14 E0255 an output must be a tensor, got int'],
  },
};

describe('name resolution and calls', () => {
  it.each(Object.entries(CASES))('%s', (_name, { source, expected, hint }) => {
    expect(diagnose(source)).toEqual(expected);
    if (hint !== undefined) expect(compileText(source).diagnostics[0]!.hint).toBe(hint);
  });

  it('finds mistakes in blocks that no model calls', () => {
    const source = `block Unused(x) {\n  return x -> conv(8, 3, dilaton: 2)\n}\n${model('  output y = image -> relu')}`;
    expect(diagnose(source)).toEqual(['2:26 E0220 `conv` has no parameter named `dilaton`']);
  });

  it('accepts enum values written as bare names or strings', () => {
    expect(diagnose(model('  output y = image -> upsample(factor: 2, mode: bilinear) -> maxpool(2)'))).toEqual([]);
    expect(diagnose(model('  output y = image -> upsample(factor: 2, mode: "bilinear") -> maxpool(2)'))).toEqual([]);
  });

  it('reports the call chain of a mistake inside a block', () => {
    const source = `block Inner(x) {\n  return x -> conv(8, 3, stride: 0)\n}\nblock Outer(x) {\n  return x -> Inner\n}\n${model('  output y = image -> Outer')}`;
    const [diagnostic] = compileText(source).diagnostics;
    expect(diagnostic!.code).toBe('E0230');
    expect(diagnostic!.related?.map((r) => `${r.span.start.line}:${r.span.start.column} ${r.message}`)).toEqual([
      '5:15 in block `Inner` called here',
      '9:23 in block `Outer` called here',
    ]);
  });
});
