import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../../src/diagnostics/render.js';
import { DIAGNOSTICS } from '../../src/diagnostics/codes.js';
import { parse } from '../../src/parser/index.js';

/** The syntax codes (E01xx) of the diagnostics table. */
const SYNTAX_CODES: readonly string[] = Object.values(DIAGNOSTICS)
  .map((entry) => entry.code)
  .filter((code) => code.startsWith('E01'));

interface ErrorCase {
  readonly name: string;
  readonly source: string;
  /** Every diagnostic of the file: code, line:column, exact message, exact hint. */
  readonly expected: ReadonlyArray<readonly [string, string, string, string]>;
}

const CASES: readonly ErrorCase[] = [
  {
    name: 'unexpected character',
    source: 'block A(x) {\n  return x # 2\n}',
    expected: [
      ['E0101', '2:12', 'unexpected character `#`', 'comments start with `//`'],
      [
        'E0116',
        '2:14',
        'expected a statement (`let`, `input`, `output` or `return`) but found `2`',
        'a body holds `let`, `input`, `output` and `return` statements',
      ],
    ],
  },
  {
    name: 'unterminated string',
    source: 'block A(x) {\n  let s = "open\n  return x\n}',
    expected: [['E0102', '2:11', 'unterminated string', 'close it with `"` on the same line']],
  },
  {
    name: 'unterminated block comment',
    source: 'block A(x) {\n  return x\n}\n/* never closed',
    expected: [['E0103', '4:1', 'unterminated block comment', 'close it with `*/`; block comments do not nest']],
  },
  {
    name: 'unknown escape in a string',
    source: 'block A(x) {\n  let s = "a\\qb"\n  return x\n}',
    expected: [
      [
        'E0104',
        '2:13',
        'unknown escape `\\q` in a string',
        'the escapes are `\\"`, `\\\\`, `\\n`, `\\t` and `\\u{XXXX}`',
      ],
    ],
  },
  {
    name: 'escape beyond the last code point',
    source: 'block A(x) {\n  let s = "\\u{110000}"\n  return x\n}',
    expected: [['E0104', '2:12', '`\\u{110000}` is not a Unicode code point', 'code points go up to `\\u{10FFFF}`']],
  },
  {
    name: 'malformed Unicode escape',
    source: 'block A(x) {\n  let s = "\\u12"\n  return x\n}',
    expected: [
      [
        'E0104',
        '2:12',
        'malformed Unicode escape `\\u`',
        'write a code point as 1 to 6 hex digits in braces, as in `\\u{1F600}`',
      ],
    ],
  },
  {
    name: 'number ending with a dot',
    source: 'block A(x) {\n  let y = 1.\n  return y\n}',
    expected: [['E0105', '2:11', 'malformed number `1.`', 'write `1.0` for a float or `1` for an integer']],
  },
  {
    name: 'exponent without digits',
    source: 'block A(x) {\n  let y = 2e\n  return y\n}',
    expected: [['E0105', '2:11', 'malformed number `2e`', 'an exponent needs digits, as in `1e-3`']],
  },
  {
    name: 'number starting with a dot',
    source: 'block A(x) {\n  let y = .5\n  return y\n}',
    expected: [['E0105', '2:11', 'malformed number `.5`', 'a number starts with a digit: write `0.5`']],
  },
  {
    name: 'number running into letters',
    source: 'block A(x) {\n  let y = 3x\n  return y\n}',
    expected: [
      [
        'E0105',
        '2:11',
        'malformed number `3x`',
        'a number cannot run into letters; put a space or an operator between them',
      ],
    ],
  },
  {
    name: 'semicolon after a statement',
    source: 'block A(x) {\n  let y = x -> relu;\n  return y\n}',
    expected: [['E0106', '2:20', '`;` is not a separator in .seg', 'statements need no `;`']],
  },
  {
    name: 'fat arrow instead of a pipeline arrow',
    source: 'block A(x) {\n  return x => relu\n}',
    expected: [['E0107', '2:12', '`=>` is not an operator in .seg', 'use `->` to pass a value to the next stage']],
  },
  {
    name: 'single-quoted string',
    source: "block A(x) {\n  return conv(x, mode: 'same')\n}",
    expected: [['E0108', '2:24', 'strings use double quotes', 'write "same"']],
  },
  {
    name: 'wrong closing bracket in a call',
    source: 'block A(x) {\n  let y = conv(x, 3]\n  return y\n}',
    expected: [
      ['E0114', '2:20', 'expected `)` to close the argument list of `conv` but found `]`', 'add the missing `)`'],
    ],
  },
  {
    name: 'missing = in a let',
    source: 'block A(x) {\n  let y conv(x, 3)\n  return y\n}',
    expected: [['E0111', '2:9', 'expected `=` after `y` but found `conv`', 'write `let y = <value>`']],
  },
  {
    name: 'keyword as a let name, and as a value',
    source: 'block A(x) {\n  let input = x\n  return input\n}',
    expected: [
      ['E0112', '2:7', '`input` is a keyword and cannot be used as a name', '`input` is a keyword; rename it'],
      ['E0112', '3:10', '`input` is a keyword and cannot be used as a name', '`input` is a keyword; rename it'],
    ],
  },
  {
    name: '= instead of == in a where clause',
    source: 'model M() {\n  input image: f32[N, H, W, 3] where H % 16 = 0\n  output y = image\n}',
    expected: [['E0113', '2:45', '`=` in a `where` clause: constraints compare with `==`', 'write `H % 16 == 0`']],
  },
  {
    name: 'assignment without let',
    source: 'block A(x) {\n  y = conv(x, 3)\n  return y\n}',
    expected: [
      [
        'E0116',
        '2:3',
        'expected a statement (`let`, `input`, `output` or `return`) but found `y`',
        'declare a name with `let y = ...`',
      ],
    ],
  },
  {
    name: 'statement at the top level',
    source: 'let y = 1\nblock A(x) {\n  return x\n}',
    expected: [
      [
        'E0117',
        '1:1',
        'expected `import`, `block` or `model` but found `let`',
        'statements belong inside a `block` or `model` body',
      ],
    ],
  },
  {
    name: 'forgotten -> between stages',
    source: 'block A(x) {\n  return x -> conv(64, 3) bn\n}',
    expected: [
      [
        'E0116',
        '2:27',
        'expected a statement (`let`, `input`, `output` or `return`) but found `bn`',
        'did you forget `->` before `bn`?',
      ],
    ],
  },
  {
    name: 'return without a value',
    source: 'block A(x) {\n  return\n}',
    expected: [
      [
        'E0115',
        '3:1',
        'expected an expression after `return` but found `}`',
        'write a value here: a name, a number, a list or a call',
      ],
    ],
  },
  {
    name: 'a number as a pipeline stage',
    source: 'block A(x) {\n  return x -> 3\n}',
    expected: [
      [
        'E0119',
        '2:15',
        'expected an operation or block after `->` but found `3`',
        'a stage is a name or a call, as in `-> relu` or `-> conv(64, 3)`',
      ],
    ],
  },
  {
    name: 'tuple with one value',
    source: 'block A(x) {\n  return (x,)\n}',
    expected: [
      [
        'E0115',
        '2:13',
        'expected a value after `,` but found `)`',
        'a tuple needs at least two values; remove the `,` to keep one',
      ],
    ],
  },
  {
    name: 'missing comma between arguments',
    source: 'block A(x) {\n  return conv(x 3)\n}',
    expected: [
      [
        'E0114',
        '2:17',
        'expected `)` to close the argument list of `conv` but found `3`',
        'separate arguments with `,`',
      ],
    ],
  },
  {
    name: 'extra closing brace at the top level',
    source: 'block A(x) {\n  return x\n}}',
    expected: [['E0120', '3:2', '`}` closes nothing', 'remove it, or add the opening bracket it was meant to close']],
  },
  {
    name: 'unclosed parameter list',
    source: 'block A(x {\n  return x\n}',
    expected: [
      ['E0114', '1:11', 'expected `)` to close the parameter list of `A` but found `{`', 'add the missing `)`'],
    ],
  },
  {
    name: 'unclosed list',
    source: 'block A(x) {\n  return [1, 2\n}',
    expected: [['E0114', '3:1', 'expected `]` to close the list but found `}`', 'add the missing `]`']],
  },
  {
    name: 'import without braces',
    source: 'import ResNet from "std/backbones.seg"',
    expected: [
      ['E0110', '1:8', 'expected `{` after `import` but found `ResNet`', 'write `import { ResNet } from "file.seg"`'],
    ],
  },
  {
    name: 'import path that is not a string',
    source: 'import { ResNet } from backbones',
    expected: [
      [
        'E0110',
        '1:24',
        'expected a string after `from` but found `backbones`',
        'the module path is a string, as in `from "./aspp.seg"`',
      ],
    ],
  },
  {
    name: 'missing closing brace at the end of the file',
    source: 'block A(x) {\n  let y = x\n',
    expected: [
      ['E0114', '2:12', 'expected `}` to close the body of `A` but found the end of the file', 'add the missing `}`'],
    ],
  },
  {
    name: 'keyword as a declaration name',
    source: 'block model(x) {\n  return x\n}',
    expected: [
      ['E0112', '1:7', '`model` is a keyword and cannot be used as a name', '`model` is a keyword; rename it'],
    ],
  },
  {
    name: 'keyword as a parameter name',
    source: 'block A(x, repeat: int) {\n  return x\n}',
    expected: [
      ['E0112', '1:12', '`repeat` is a keyword and cannot be used as a name', '`repeat` is a keyword; rename it'],
    ],
  },
  {
    name: 'annotation before an unknown declaration word',
    source: '@frozen\nlayer A(x) {\n  return x\n}',
    expected: [
      [
        'E0110',
        '2:1',
        'expected `block` or `model` after the annotations but found `layer`',
        'annotations stand before a `block` or `model` declaration',
      ],
    ],
  },
  {
    name: 'unclosed destructuring names',
    source: 'block A(x) {\n  let (a, b = f(x)\n  return a\n}',
    expected: [['E0114', '2:13', 'expected `)` to close the names of this `let` but found `=`', 'add the missing `)`']],
  },
  {
    name: 'conditional without its second branch',
    source: 'block A(x) {\n  return x > 0 ? x\n}',
    expected: [
      [
        'E0110',
        '3:1',
        'expected `:` between the branches of `?` but found `}`',
        'write `condition ? then : otherwise`',
      ],
    ],
  },
  {
    name: 'comprehension without in',
    source: 'block A(x) {\n  return [for r rates: x]\n}',
    expected: [
      ['E0110', '2:17', 'expected `in` after the loop variable but found `rates`', 'write `for r in rates: <item>`'],
    ],
  },
  {
    name: 'input without a colon',
    source: 'model M() {\n  input image f32[N, 3]\n  output y = image\n}',
    expected: [
      ['E0110', '2:15', 'expected `:` after the input name but found `f32`', 'write `input image: f32[N, H, W, 3]`'],
    ],
  },
  {
    name: 'input without a dtype',
    source: 'model M() {\n  input image: [N, 3]\n  output y = image\n}',
    expected: [
      [
        'E0118',
        '2:16',
        'expected a dtype such as `f32` after `:` but found `[`',
        'write a dtype and the dimensions, as in `f32[N, H, W, 3]`',
      ],
    ],
  },
  {
    name: 'repeat without braces',
    source: 'block A(x) {\n  return x -> repeat 3 conv(64, 3)\n}',
    expected: [
      [
        'E0110',
        '2:24',
        'expected `{` to open the `repeat` body but found `conv`',
        'write `repeat 3 { conv(64, 3) -> relu }`',
      ],
    ],
  },
  {
    name: 'function instead of block at the top level',
    source: 'block A(x) {\n  return x\n}\nfunction B(x) {\n  return x\n}',
    expected: [
      [
        'E0117',
        '4:1',
        'expected `import`, `block` or `model` but found `function`',
        'declare it with `block` or `model`',
      ],
    ],
  },
  {
    name: 'stray closing bracket in a body',
    source: 'block A(x) {\n  return x]\n}',
    expected: [['E0120', '2:11', '`]` closes nothing', 'remove it, or add the opening bracket it was meant to close']],
  },
  {
    name: 'integer literal beyond 2^53 - 1',
    source: 'model M() {\n  let n = 9007199254740993\n}',
    expected: [
      [
        'E0121',
        '2:11',
        'the integer `9007199254740993` is too large: integers are exact up to 9007199254740991 (2^53 - 1)',
        'no size or count comes near it; write a float such as `1e20` if an approximate value will do (docs/limits.md)',
      ],
    ],
  },
  {
    name: 'missing comma between dimensions',
    source: 'model M() {\n  input image: f32[N, H W]\n  output y = image\n}',
    expected: [
      [
        'E0114',
        '2:25',
        'expected `]` to close the dimensions of `image` but found `W`',
        'separate dimensions with `,`',
      ],
    ],
  },
  {
    name: 'annotation without a name',
    source: 'block A(x) {\n  return x @\n}',
    expected: [
      ['E0118', '3:1', 'expected a name after `@` but found `}`', 'an annotation is `@` and a name, as in `@classmap`'],
    ],
  },
  {
    name: 'doubled comma in arguments',
    source: 'block A(x) {\n  return f(a, b,, c)\n}',
    expected: [
      ['E0114', '2:17', 'expected `)` to close the argument list of `f` but found `,`', 'remove the extra `,`'],
    ],
  },
  {
    name: '==> is not an operator',
    source: 'block A(x) {\n  return x ==> y\n}',
    expected: [
      [
        'E0115',
        '2:14',
        'expected an expression after `==` but found `>`',
        'write a value here: a name, a number, a list or a call',
      ],
    ],
  },
  {
    name: 'var instead of let',
    source: 'block A(x) {\n  var y = x\n  return y\n}',
    expected: [
      [
        'E0116',
        '2:3',
        'expected a statement (`let`, `input`, `output` or `return`) but found `var`',
        'declare names with `let`',
      ],
    ],
  },
  {
    name: 'single ampersand',
    source: 'block A(x) {\n  return a & b\n}',
    expected: [['E0101', '2:12', 'unexpected character `&`', 'write `&&` for "and"']],
  },
  {
    name: 'name with non-ASCII letters',
    source: 'block A(x) {\n  let größe = x\n  return x\n}',
    expected: [['E0101', '2:7', '`größe` is not a valid name', 'names use ASCII letters, digits and `_`']],
  },
  {
    name: 'missing parenthesis after the declaration name',
    source: 'block A x) {\n  return x\n}',
    expected: [
      [
        'E0110',
        '1:9',
        'expected `(` after the declaration name but found `x`',
        'parameters go in parentheses, even when there are none: `block A() { ... }`',
      ],
    ],
  },
  {
    name: 'unclosed index',
    source: 'block A(x) {\n  return f(x)[0\n}',
    expected: [['E0114', '3:1', 'expected `]` to close the index but found `}`', 'add the missing `]`']],
  },
  {
    name: 'missing closing brace after the last statement',
    source: 'block A(x) {\n  return x\n',
    expected: [
      ['E0114', '2:11', 'expected `}` to close the body of `A` but found the end of the file', 'add the missing `}`'],
    ],
  },
  {
    name: 'output without a value',
    source: 'model M() {\n  output y = \n}',
    expected: [
      [
        'E0115',
        '3:1',
        'expected an expression after `=` but found `}`',
        'write a value here: a name, a number, a list or a call',
      ],
    ],
  },
];

describe('syntax errors: one diagnostic per mistake, with code, position, message and hint', () => {
  it.each(CASES)('$name', ({ source, expected }) => {
    const { diagnostics } = parse(source, 'broken.seg');
    const actual = diagnostics.map((d) => [d.code, `${d.span.start.line}:${d.span.start.column}`, d.message, d.hint]);
    expect(actual).toEqual(expected);
    for (const diagnostic of diagnostics) {
      expect(diagnostic.severity).toBe('error');
      expect(diagnostic.span.file).toBe('broken.seg');
      expect(SYNTAX_CODES).toContain(diagnostic.code);
      expect(diagnostic.message).not.toMatch(/Expecting|token of type|EOF/);
    }
  });

  it('covers every syntax code except the internal failure', () => {
    const seen = new Set(CASES.flatMap((entry) => entry.expected.map(([code]) => code)));
    const nesting = parse(`block A() { return ${'('.repeat(70)}1${')'.repeat(70)} }`, 'deep.seg');
    for (const diagnostic of nesting.diagnostics) seen.add(diagnostic.code);
    const codes = SYNTAX_CODES.filter((code) => code !== 'E0199');
    expect(codes.filter((code) => !seen.has(code))).toEqual([]);
  });
});

describe('syntax errors: recovery', () => {
  const source = [
    'block A(x) {',
    '  let y = conv(x, 3]',
    '  let z y',
    '  return y -> 3',
    '}',
    'let q = 1',
    'model M() {',
    '  input image f32[N]',
    '  output out = image',
    '}',
    'block B(x) {',
    '  return x',
  ].join('\n');

  it('reports every error of the file, in source order', () => {
    const lines = parse(source, 'many.seg').diagnostics.map(
      (d) => `${d.code} ${d.span.start.line}:${d.span.start.column}`,
    );
    expect(lines).toEqual(['E0114 2:20', 'E0111 3:9', 'E0119 4:15', 'E0117 6:1', 'E0110 8:15', 'E0114 12:11']);
  });

  it('keeps the declarations and statements that could be read', () => {
    const { program } = parse(source, 'many.seg');
    expect(program.declarations.map((d) => `${d.name.name}:${d.body.map((s) => s.kind).join(',')}`)).toEqual([
      'A:LetStmt,LetStmt,ReturnStmt',
      'M:InputStmt,OutputStmt',
      'B:ReturnStmt',
    ]);
  });

  it('points an unclosed bracket back at its opening bracket', () => {
    const [diagnostic] = parse('block A(x) {\n  let y = conv(x,\n    3]\n  return y\n}', 'open.seg').diagnostics;
    expect(diagnostic?.related?.map((r) => [r.message, `${r.span.start.line}:${r.span.start.column}`])).toEqual([
      ['`(` opened here', '2:15'],
    ]);
  });

  it('renders as a code frame with a caret and the hint', () => {
    const source = 'block A(x) {\n  let y = conv(x, 3]\n  return y\n}';
    const [diagnostic] = parse(source, 'frame.seg').diagnostics;
    expect(renderDiagnostic(diagnostic!, new Map([['frame.seg', source]]))).toBe(
      [
        'frame.seg:2:20: error E0114: expected `)` to close the argument list of `conv` but found `]`',
        '  1 | block A(x) {',
        '> 2 |   let y = conv(x, 3]',
        '    |                    ^',
        '  3 |   return y',
        '  `(` opened here (frame.seg:2:15)',
        '  hint: add the missing `)`',
      ].join('\n'),
    );
  });

  it('refuses nesting that would overflow the stack, with a diagnostic', () => {
    const result = parse(`block A() { return ${'['.repeat(5000)}1${']'.repeat(5000)} }`, 'deep.seg');
    // the body's `{` is the first level, so the 64th `[` (column 83) is the 65th level
    expect(result.diagnostics.map((d) => [d.code, d.span.start.column, d.message])).toEqual([
      ['E0109', 83, 'brackets nested more than 64 levels deep; the file is not parsed further'],
    ]);
  });
});
