import { describe, expect, it } from 'vitest';
import type * as Ast from '../../src/parser/ast.js';
import { parse } from '../../src/parser/index.js';
import { ASPP_SOURCE, DEEPLAB_SOURCE, parseClean, stripSpans } from './helpers.js';

// Span-free builders for expected trees.
const id = (name: string) => ({ kind: 'Identifier', name });
const int = (raw: string) => ({ kind: 'NumberLiteral', value: Number(raw), isFloat: false, raw });
const float = (raw: string) => ({ kind: 'NumberLiteral', value: Number(raw), isFloat: true, raw });
const arg = (value: unknown, name?: string) =>
  name ? { kind: 'Argument', name: id(name), value } : { kind: 'Argument', value };
const call = (callee: string, ...args: unknown[]) => ({ kind: 'CallExpr', callee: id(callee), args });
const stage = (callee: string, args?: unknown[], annotations: unknown[] = []) =>
  args === undefined
    ? { kind: 'CallStage', callee: id(callee), annotations }
    : { kind: 'CallStage', callee: id(callee), args, annotations };
const binary = (operator: string, left: unknown, right: unknown) => ({ kind: 'BinaryExpr', operator, left, right });
const list = (...items: unknown[]) => ({ kind: 'ListExpr', items });

/** The value of `return <expression>` in a one-statement block. */
function expressionOf(text: string): unknown {
  const program = parseClean(`block A() { return ${text} }`);
  const statement = program.declarations[0]!.body[0] as Ast.ReturnStmt;
  return stripSpans(statement.value);
}

describe('parse: the example programs', () => {
  it('reads the ASPP block: doc, typed parameters with defaults, branches and the return pipeline', () => {
    const program = parseClean(ASPP_SOURCE);
    expect(program.imports).toEqual([]);
    const block = stripSpans(program.declarations[0]!);
    expect(block.kind).toBe('BlockDecl');
    expect(block.name).toEqual(id('ASPP'));
    expect(block.doc).toBe('Atrous Spatial Pyramid Pooling (DeepLabv3).');
    expect(block.annotations).toEqual([]);
    expect(block.params).toEqual([
      { kind: 'Param', name: id('x') },
      { kind: 'Param', name: id('out'), type: { kind: 'TypeRef', name: 'int', list: false }, default: int('256') },
      {
        kind: 'Param',
        name: id('rates'),
        type: { kind: 'TypeRef', name: 'int', list: true },
        default: list(int('6'), int('12'), int('18')),
      },
      { kind: 'Param', name: id('drop'), type: { kind: 'TypeRef', name: 'float', list: false }, default: float('0.1') },
    ]);
    const branches = block.body[0] as Ast.LetStmt;
    expect(branches.names).toEqual([id('branches')]);
    const items = (branches.value as Ast.ListExpr).items;
    expect(items.map((item) => item.kind)).toEqual(['PipelineExpr', 'Comprehension', 'PipelineExpr']);
    expect(items[0]).toEqual({
      kind: 'PipelineExpr',
      head: id('x'),
      stages: [stage('conv', [arg(id('out')), arg(int('1'))]), stage('bn'), stage('relu')],
    });
    expect(items[1]).toEqual({
      kind: 'Comprehension',
      variable: id('r'),
      iterable: id('rates'),
      body: {
        kind: 'PipelineExpr',
        head: id('x'),
        stages: [stage('conv', [arg(id('out')), arg(int('3')), arg(id('r'), 'dilation')]), stage('bn'), stage('relu')],
      },
    });
    const returned = block.body[1] as Ast.ReturnStmt;
    expect(returned.value).toEqual({
      kind: 'PipelineExpr',
      head: call('concat', arg(id('branches'))),
      stages: [
        stage('conv', [arg(id('out')), arg(int('1'))]),
        stage('bn'),
        stage('relu'),
        stage('dropout', [arg(id('drop'))]),
      ],
    });
  });

  it('reads the DeepLabV3+ model: input with where, destructuring, conditional, repeat and annotations', () => {
    const model = stripSpans(parseClean(DEEPLAB_SOURCE).declarations[0]!);
    expect(model.kind).toBe('ModelDecl');
    expect(model.body.map((statement) => statement.kind)).toEqual([
      'InputStmt',
      'LetStmt',
      'LetStmt',
      'LetStmt',
      'LetStmt',
      'OutputStmt',
      'OutputStmt',
    ]);
    const input = model.body[0] as Ast.InputStmt;
    expect(input.name).toEqual(id('image'));
    expect(input.type).toEqual({
      kind: 'TensorTypeRef',
      dtype: id('f32'),
      dims: [id('N'), id('H'), id('W'), int('3')],
    });
    expect(input.constraints).toEqual([
      binary('==', binary('%', id('H'), int('16')), int('0')),
      binary('==', binary('%', id('W'), int('16')), int('0')),
    ]);
    const destructuring = model.body[1] as Ast.LetStmt;
    expect(destructuring.destructure).toBe(true);
    expect(destructuring.names).toEqual([id('low'), id('high')]);
    const encoder = model.body[2] as Ast.LetStmt;
    expect(encoder.value).toEqual(
      call(
        'ASPP',
        arg(id('high')),
        arg(
          {
            kind: 'ConditionalExpr',
            condition: binary('==', id('os'), int('16')),
            then: list(int('6'), int('12'), int('18')),
            otherwise: list(int('12'), int('24'), int('36')),
          },
          'rates',
        ),
      ),
    );
    const body = (model.body[3] as Ast.LetStmt).value as Ast.PipelineExpr;
    expect(body.stages[0]).toEqual({
      kind: 'RepeatStage',
      count: int('3'),
      variable: id('i'),
      stages: [
        stage('conv', [
          arg(binary('*', int('64'), { kind: 'ParenExpr', expression: binary('+', id('i'), int('1')) })),
          arg(int('3')),
        ]),
        stage('bn'),
        stage('relu'),
      ],
      annotations: [],
    });
    const classMap = (model.body[4] as Ast.LetStmt).value as Ast.PipelineExpr;
    expect(classMap.stages[2]).toEqual(
      stage('conv', [arg(id('classes')), arg(int('1'))], [{ kind: 'Annotation', name: id('classmap'), args: [] }]),
    );
    const mask = model.body[6] as Ast.OutputStmt;
    expect(mask.value).toEqual(
      call('argmax', arg(id('logits')), arg({ kind: 'UnaryExpr', operator: '-', operand: int('1') }, 'axis')),
    );
  });
});

describe('parse: declarations and statements', () => {
  it('reads imports with aliases and a trailing comma', () => {
    const program = parseClean(
      'import { ResNet, ASPP as Pyramid, } from "std/backbones.seg"\nimport { X } from "./x.seg"',
    );
    expect(stripSpans(program.imports)).toEqual([
      {
        kind: 'ImportDecl',
        names: [
          { kind: 'ImportName', name: id('ResNet') },
          { kind: 'ImportName', name: id('ASPP'), alias: id('Pyramid') },
        ],
        from: 'std/backbones.seg',
      },
      { kind: 'ImportDecl', names: [{ kind: 'ImportName', name: id('X') }], from: './x.seg' },
    ]);
    expect(program.imports[0]!.fromSpan.start).toEqual({ offset: 41, line: 1, column: 42 });
  });

  it('reads annotations before a declaration, with and without arguments', () => {
    const program = parseClean('@frozen\n@name("head", version: 2)\nmodel M() {}');
    expect(stripSpans(program.declarations[0]!.annotations)).toEqual([
      { kind: 'Annotation', name: id('frozen'), args: [] },
      {
        kind: 'Annotation',
        name: id('name'),
        args: [arg({ kind: 'StringLiteral', value: 'head' }), arg(int('2'), 'version')],
      },
    ]);
  });

  it('needs no separators between statements, even on one line', () => {
    const program = parseClean('block A(x,) { let a = 1 let b = a return b }');
    expect(program.declarations[0]!.body.map((statement) => statement.kind)).toEqual([
      'LetStmt',
      'LetStmt',
      'ReturnStmt',
    ]);
    expect(program.declarations[0]!.params.map((param) => param.name.name)).toEqual(['x']);
  });

  it('keeps the parenthesised form of `let` with a single name', () => {
    const statement = parseClean('block A() { let (a) = f() }').declarations[0]!.body[0] as Ast.LetStmt;
    expect(statement.destructure).toBe(true);
    expect(statement.names.map((name) => name.name)).toEqual(['a']);
  });

  it('treats words that start with a keyword, type names and dtypes as names', () => {
    const program = parseClean(
      'block blocky(format, inputs: tensor, fortune: int, repeated: bool) { let asX = iffy + fromage + int + f32 return repeated }',
    );
    const block = program.declarations[0]!;
    expect(block.name.name).toBe('blocky');
    expect(block.params.map((param) => param.name.name)).toEqual(['format', 'inputs', 'fortune', 'repeated']);
    expect(block.params[1]!.type).toMatchObject({ name: 'tensor', list: false });
    const value = stripSpans((block.body[0] as Ast.LetStmt).value);
    expect(value).toEqual(binary('+', binary('+', binary('+', id('iffy'), id('fromage')), id('int')), id('f32')));
  });

  it('returns an empty program for an empty file', () => {
    const result = parse('', 'empty.seg');
    expect(result.diagnostics).toEqual([]);
    expect(stripSpans(result.program)).toEqual({ kind: 'Program', imports: [], declarations: [], comments: [] });
  });
});

describe('parse: expressions', () => {
  it('binds operators by precedence and associates them to the left', () => {
    expect(expressionOf('a - b - c')).toEqual(binary('-', binary('-', id('a'), id('b')), id('c')));
    expect(expressionOf('a + b * c % d')).toEqual(
      binary('+', id('a'), binary('%', binary('*', id('b'), id('c')), id('d'))),
    );
    expect(expressionOf('a || b && c == d < e + f')).toEqual(
      binary(
        '||',
        id('a'),
        binary('&&', id('b'), binary('==', id('c'), binary('<', id('d'), binary('+', id('e'), id('f'))))),
      ),
    );
    expect(expressionOf('a != b >= c <= d > e')).toEqual(
      binary('!=', id('a'), binary('>', binary('<=', binary('>=', id('b'), id('c')), id('d')), id('e'))),
    );
    expect(expressionOf('!a && -b / 2')).toEqual(
      binary(
        '&&',
        { kind: 'UnaryExpr', operator: '!', operand: id('a') },
        binary('/', { kind: 'UnaryExpr', operator: '-', operand: id('b') }, int('2')),
      ),
    );
  });

  it('nests conditionals to the right and lets a branch hold a pipeline', () => {
    expect(expressionOf('a ? b : c ? d : e')).toEqual({
      kind: 'ConditionalExpr',
      condition: id('a'),
      then: id('b'),
      otherwise: { kind: 'ConditionalExpr', condition: id('c'), then: id('d'), otherwise: id('e') },
    });
    expect(expressionOf('a ? x -> f : y')).toEqual({
      kind: 'ConditionalExpr',
      condition: id('a'),
      then: { kind: 'PipelineExpr', head: id('x'), stages: [stage('f')] },
      otherwise: id('y'),
    });
  });

  it('distinguishes parentheses from tuples and keeps both', () => {
    expect(expressionOf('(a)')).toEqual({ kind: 'ParenExpr', expression: id('a') });
    expect(expressionOf('(a, b)')).toEqual({ kind: 'TupleExpr', elements: [id('a'), id('b')] });
    expect(expressionOf('(a, b, c,)')).toEqual({ kind: 'TupleExpr', elements: [id('a'), id('b'), id('c')] });
  });

  it('reads index and annotation suffixes in order, grouping consecutive annotations', () => {
    expect(expressionOf('xs[0][i + 1]')).toEqual({
      kind: 'IndexExpr',
      target: { kind: 'IndexExpr', target: id('xs'), index: int('0') },
      index: binary('+', id('i'), int('1')),
    });
    expect(expressionOf('f(x) @gradcam @name("a")[0]')).toEqual({
      kind: 'IndexExpr',
      target: {
        kind: 'AnnotatedExpr',
        expression: call('f', arg(id('x'))),
        annotations: [
          { kind: 'Annotation', name: id('gradcam'), args: [] },
          { kind: 'Annotation', name: id('name'), args: [arg({ kind: 'StringLiteral', value: 'a' })] },
        ],
      },
      index: int('0'),
    });
  });

  it('tells stages without parentheses from stages with empty ones', () => {
    expect(expressionOf('x -> relu -> relu() -> repeat n { bn } @frozen')).toEqual({
      kind: 'PipelineExpr',
      head: id('x'),
      stages: [
        stage('relu'),
        stage('relu', []),
        {
          kind: 'RepeatStage',
          count: id('n'),
          stages: [stage('bn')],
          annotations: [{ kind: 'Annotation', name: id('frozen'), args: [] }],
        },
      ],
    });
  });

  it('reads lists: empty, trailing comma, comprehension with a condition', () => {
    expect(expressionOf('[]')).toEqual(list());
    expect(expressionOf('[1, 2,]')).toEqual(list(int('1'), int('2')));
    expect(expressionOf('[0, for r in rates if r > 1: r * 2]')).toEqual(
      list(int('0'), {
        kind: 'Comprehension',
        variable: id('r'),
        iterable: id('rates'),
        condition: binary('>', id('r'), int('1')),
        body: binary('*', id('r'), int('2')),
      }),
    );
  });

  it('reads literals: ints, floats with their raw text, strings with escapes, booleans', () => {
    expect(expressionOf('[12, 0.5, 1e-3, 2.5E+4, 2.0, true, false]')).toEqual(
      list(
        int('12'),
        float('0.5'),
        { kind: 'NumberLiteral', value: 0.001, isFloat: true, raw: '1e-3' },
        { kind: 'NumberLiteral', value: 25000, isFloat: true, raw: '2.5E+4' },
        float('2.0'),
        { kind: 'BoolLiteral', value: true },
        { kind: 'BoolLiteral', value: false },
      ),
    );
    expect(expressionOf('"q\\"b\\\\s\\nn\\tt\\u{1F600}\\u{e9}"')).toEqual({
      kind: 'StringLiteral',
      value: 'q"b\\s\nn\tt\u{1F600}é',
    });
  });

  it('reads a positional argument that starts with a name but is a conditional', () => {
    expect(expressionOf('f(a ? b : c, d: e)')).toEqual(
      call(
        'f',
        arg({ kind: 'ConditionalExpr', condition: id('a'), then: id('b'), otherwise: id('c') }),
        arg(id('e'), 'd'),
      ),
    );
  });
});

describe('parse: comments, doc comments and spans', () => {
  it('collects // and /* */ comments in order, but not doc comments', () => {
    const source = '// head\n/// The block.\nblock A() { /* inner\n still */ return 1 // tail\n}\n';
    const program = parseClean(source);
    expect(program.comments.map((comment) => comment.text)).toEqual(['// head', '/* inner\n still */', '// tail']);
    expect(program.comments[1]!.span).toEqual({
      file: 'test.seg',
      start: { offset: 35, line: 3, column: 13 },
      end: { offset: 53, line: 4, column: 10 },
    });
    expect(program.declarations[0]!.doc).toBe('The block.');
  });

  it('joins a run of /// lines, strips one leading space and documents statements too', () => {
    const source = '///  Two spaces.\n///\n///No space.\nblock A() {\n  /// The result.\n  return 1\n}';
    const block = parseClean(source).declarations[0]!;
    expect(block.doc).toBe(' Two spaces.\n\nNo space.');
    expect(block.body[0]!.doc).toBe('The result.');
  });

  it('keeps /// lines that document nothing as ordinary comments; //// is an ordinary comment', () => {
    const source = '/// Stray.\n\nblock A() {\n  return 1 /// trailing\n  /// at the end\n}\n//// four';
    const program = parseClean(source);
    expect(program.declarations[0]!.doc).toBeUndefined();
    expect(program.declarations[0]!.body[0]!.doc).toBeUndefined();
    expect(program.comments.map((comment) => comment.text)).toEqual([
      '/// Stray.',
      '/// trailing',
      '/// at the end',
      '//// four',
    ]);
  });

  it('gives every node a span with 1-based line and column, 0-based offset and the file name', () => {
    const program = parseClean('block A() {\n  let answer = 4 + 2\n}', 'spans.seg');
    const statement = program.declarations[0]!.body[0] as Ast.LetStmt;
    expect(statement.span).toEqual({
      file: 'spans.seg',
      start: { offset: 14, line: 2, column: 3 },
      end: { offset: 32, line: 2, column: 21 },
    });
    expect(statement.value.span).toEqual({
      file: 'spans.seg',
      start: { offset: 27, line: 2, column: 16 },
      end: { offset: 32, line: 2, column: 21 },
    });
    expect(program.span).toEqual({
      file: 'spans.seg',
      start: { offset: 0, line: 1, column: 1 },
      end: { offset: 34, line: 3, column: 2 },
    });
  });

  it('counts \\r\\n as one line break', () => {
    const program = parseClean('block A() {\r\n  return x\r\n}\r\n');
    expect(program.declarations[0]!.body[0]!.span.start).toEqual({ offset: 15, line: 2, column: 3 });
  });
});
