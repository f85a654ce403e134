import { describe, expect, it } from 'vitest';
import { UNKNOWN_SPAN } from '../../src/diagnostics/diagnostic.js';
import type * as Ast from '../../src/parser/ast.js';
import { parse, print } from '../../src/parser/index.js';
import { ASPP_SOURCE, DEEPLAB_SOURCE, parseClean, stripSpans } from './helpers.js';

const span = UNKNOWN_SPAN;
const id = (name: string): Ast.Identifier => ({ kind: 'Identifier', name, span });
const binary = (operator: Ast.BinaryOperator, left: Ast.Expression, right: Ast.Expression): Ast.BinaryExpr => ({
  kind: 'BinaryExpr',
  operator,
  left,
  right,
  span,
});

/** Formats source; checks on the way that formatting again changes nothing. */
function format(source: string): string {
  const printed = print(parseClean(source));
  expect(print(parseClean(printed))).toBe(printed);
  return printed;
}

/** Prints one expression as the value of `return` in a block. */
function printExpression(value: Ast.Expression): string {
  const block: Ast.BlockDecl = {
    kind: 'BlockDecl',
    name: id('A'),
    params: [],
    annotations: [],
    body: [{ kind: 'ReturnStmt', value, span }],
    span,
  };
  const text = print({ kind: 'Program', imports: [], declarations: [block], comments: [], span });
  return text.slice('block A() {\n  return '.length, -'\n}\n'.length);
}

describe('print: canonical layout', () => {
  it('normalises spacing, puts imports first and separates declarations by a blank line', () => {
    const source = [
      'block   A( x ,out:int=256,){let y=x->conv(out,1)->bn->relu return [y,y]}',
      'import {A,B as C,} from "x.seg"',
      'model M(){input image:f32[N,H,W,3] where H%16==0,W>0',
      'output o=A(image,out:-1)}',
    ].join('\n');
    expect(format(source)).toBe(
      [
        'import { A, B as C } from "x.seg"',
        '',
        'block A(x, out: int = 256) {',
        '  let y = x -> conv(out, 1) -> bn -> relu',
        '  return [y, y]',
        '}',
        '',
        'model M() {',
        '  input image: f32[N, H, W, 3] where H % 16 == 0, W > 0',
        '  output o = A(image, out: -1)',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('prints lists of branches one per line with a trailing comma (the ASPP example is canonical)', () => {
    expect(format(ASPP_SOURCE)).toBe(ASPP_SOURCE);
  });

  it('keeps the DeepLabV3+ example as written', () => {
    expect(format(DEEPLAB_SOURCE)).toBe(DEEPLAB_SOURCE);
  });

  it('breaks lists longer than 100 columns, one item per line', () => {
    const items = Array.from({ length: 30 }, (_, index) => String(index * 1000));
    expect(format(`block A() { return [${items.join(',')}] }`)).toBe(
      `block A() {\n  return [\n${items.map((item) => `    ${item},\n`).join('')}  ]\n}\n`,
    );
  });

  it('breaks a pipeline longer than 100 columns before each layer (a stage with arguments), with 2 extra spaces', () => {
    const stages =
      'conv(256, 3, dilation: 2) -> bn -> relu -> conv(256, 3, dilation: 4) -> bn -> relu -> conv(classes, 1)';
    expect(format(`block A(x) { let y = x -> ${stages} return y }`)).toBe(
      [
        'block A(x) {',
        '  let y = x',
        '    -> conv(256, 3, dilation: 2) -> bn -> relu',
        '    -> conv(256, 3, dilation: 4) -> bn -> relu',
        '    -> conv(classes, 1)',
        '  return y',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('breaks long calls one argument per line, long headers one parameter per line, long conditionals before `:`', () => {
    const source = [
      'block Stage(x, filters: int, blocks: int, stride: int = 1, dilation: int = 1, firstDilation: int = 1, bottleneck: bool = false) {',
      '  let kind = depth == 18 ? "basic-eighteen-layers" : depth == 34 ? "basic-thirty-four-layers" : "bottleneck-fifty-or-more"',
      '  return x -> ResidualStage(filters * 4, blocks, stride: stride >= 16 ? 2 : 1, dilation: max(16 / stride, 1), bottleneck: true)',
      '}',
    ].join('\n');
    expect(format(source)).toBe(
      [
        'block Stage(',
        '  x,',
        '  filters: int,',
        '  blocks: int,',
        '  stride: int = 1,',
        '  dilation: int = 1,',
        '  firstDilation: int = 1,',
        '  bottleneck: bool = false,',
        ') {',
        '  let kind = depth == 18 ? "basic-eighteen-layers"',
        '    : depth == 34 ? "basic-thirty-four-layers"',
        '    : "bottleneck-fifty-or-more"',
        '  return x',
        '    -> ResidualStage(',
        '      filters * 4,',
        '      blocks,',
        '      stride: stride >= 16 ? 2 : 1,',
        '      dilation: max(16 / stride, 1),',
        '      bottleneck: true,',
        '    )',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('prints an empty body on one line and declaration annotations on their own lines', () => {
    expect(format('@frozen @name("head") model M() { }')).toBe('@frozen\n@name("head")\nmodel M() {}\n');
  });

  it('prints numbers as written and strings re-escaped', () => {
    expect(format('block A() { return [1e-3, 2.50, 007, "a\\u{22}b\\\\c\\u{A}d\\te\\u{1}\\u{e9}"] }')).toBe(
      'block A() {\n  return [1e-3, 2.50, 007, "a\\"b\\\\c\\nd\\te\\u{1}é"]\n}\n',
    );
  });

  it('prints doc comments as /// lines', () => {
    expect(format('///Doc.\n///\n///  Indented.\nblock A() {\n///Result.\nreturn 1\n}')).toBe(
      '/// Doc.\n///\n///  Indented.\nblock A() {\n  /// Result.\n  return 1\n}\n',
    );
  });

  it('keeps one blank line where statements were separated by blank lines', () => {
    expect(format('block A() {\n  let a = 1\n\n\n  let b = 2\n  return b\n}')).toBe(
      'block A() {\n  let a = 1\n\n  let b = 2\n  return b\n}\n',
    );
  });
});

describe('print: parentheses', () => {
  it('inserts only the parentheses that precedence needs', () => {
    const [a, b, c] = [id('a'), id('b'), id('c')];
    expect(printExpression(binary('*', binary('+', a, b), c))).toBe('(a + b) * c');
    expect(printExpression(binary('+', a, binary('*', b, c)))).toBe('a + b * c');
    expect(printExpression(binary('-', a, binary('-', b, c)))).toBe('a - (b - c)');
    expect(printExpression(binary('-', binary('-', a, b), c))).toBe('a - b - c');
    expect(printExpression({ kind: 'UnaryExpr', operator: '-', operand: binary('+', a, b), span })).toBe('-(a + b)');
    const conditional: Ast.ConditionalExpr = { kind: 'ConditionalExpr', condition: a, then: b, otherwise: c, span };
    const relu: Ast.CallStage = { kind: 'CallStage', callee: id('relu'), annotations: [], span };
    expect(printExpression({ kind: 'PipelineExpr', head: conditional, stages: [relu], span })).toBe(
      '(a ? b : c) -> relu',
    );
    expect(
      printExpression({
        kind: 'ConditionalExpr',
        condition: a,
        then: b,
        otherwise: { kind: 'PipelineExpr', head: c, stages: [relu], span },
        span,
      }),
    ).toBe('a ? b : c -> relu');
    const pipeline: Ast.PipelineExpr = { kind: 'PipelineExpr', head: a, stages: [relu], span };
    expect(
      printExpression({
        kind: 'IndexExpr',
        target: pipeline,
        index: { kind: 'NumberLiteral', value: 0, isFloat: false, raw: '0', span },
        span,
      }),
    ).toBe('(a -> relu)[0]');
  });

  it('keeps the parentheses the user wrote', () => {
    expect(format('block A() { return ((a)) + (b * c) }')).toBe('block A() {\n  return ((a)) + (b * c)\n}\n');
  });
});

describe('print: comments', () => {
  const source = [
    '// File header.',
    '',
    'import { X } from "x.seg" // why X',
    '/// The head.',
    'block Head(x) {',
    '  // before the list',
    '  let maps = [',
    '    x -> conv(10, 1), // first branch',
    '    /* second */ x,',
    '    // at the end of the list',
    '  ]',
    '  let y = f(a, /* inside a call */ b)',
    '  return concat(maps) /* after */',
    '  // end of body',
    '}',
    '/// stray doc',
    '',
    '// end of file',
    '',
  ].join('\n');

  it('keeps every comment where it belongs', () => {
    expect(format(source)).toBe(
      [
        '// File header.',
        '',
        'import { X } from "x.seg" // why X',
        '',
        '/// The head.',
        'block Head(x) {',
        '  // before the list',
        '  let maps = [',
        '    x -> conv(10, 1), // first branch',
        '    /* second */ x,',
        '    // at the end of the list',
        '  ]',
        '  /* inside a call */',
        '  let y = f(a, b)',
        '  return concat(maps) /* after */',
        '  // end of body',
        '}',
        '',
        '/// stray doc',
        '',
        '// end of file',
        '',
      ].join('\n'),
    );
  });

  it('does not let a stray /// line become the doc of the next statement', () => {
    const printed = format('block A() {\n  let a = 1 /// trailing\n  // note\n  /// stray\n\n  return a\n}');
    const block = parse(printed, 'x.seg').program.declarations[0]!;
    expect(block.body.map((statement) => statement.doc)).toEqual([undefined, undefined]);
    expect(printed).toContain('/// stray');
    expect(printed).toContain('/// trailing');
  });

  it('never drops a comment, even from a tree whose spans place it nowhere', () => {
    const program: Ast.Program = {
      ...parseClean('block A() { return 1 }'),
      comments: [
        {
          kind: 'Comment',
          text: '// orphan',
          span: { file: 'x', start: { offset: 999, line: 99, column: 1 }, end: { offset: 1008, line: 99, column: 10 } },
        },
      ],
    };
    expect(print(program)).toContain('// orphan');
  });

  it('parses back to the same tree', () => {
    const original = parseClean(source);
    expect(stripSpans(parseClean(print(original)).declarations)).toEqual(stripSpans(original.declarations));
  });
});
