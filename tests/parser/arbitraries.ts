/**
 * Random well-formed programs, built from the grammar: each slot of the tree gets a node of the
 * grammar level that slot accepts (an operand of `*` is a unary expression or tighter, a
 * pipeline head an `||` expression or tighter, ...), and a looser node only inside a ParenExpr.
 * So every generated tree is exactly what the parser would build from its printed form.
 */
import fc from 'fast-check';
import { UNKNOWN_SPAN } from '../../src/diagnostics/diagnostic.js';
import type * as Ast from '../../src/parser/ast.js';

const span = UNKNOWN_SPAN;
const KEYWORDS = new Set([
  'import',
  'from',
  'as',
  'block',
  'model',
  'let',
  'input',
  'output',
  'return',
  'where',
  'for',
  'in',
  'if',
  'repeat',
  'true',
  'false',
]);

const name = fc
  .oneof(
    fc.constantFrom('x', 'conv', 'relu', 'rates', 'inputs', 'format', 'blocky', 'f32', 'int'),
    fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/),
  )
  .filter((text) => !KEYWORDS.has(text));
const identifier: fc.Arbitrary<Ast.Identifier> = name.map((text) => ({ kind: 'Identifier', name: text, span }));

const integerRaw = fc.oneof(fc.nat({ max: 1000 }).map(String), fc.constantFrom('0', '007', '123456789012'));
const floatRaw = fc.oneof(
  fc.tuple(fc.nat({ max: 99 }), fc.stringMatching(/^[0-9]{1,3}$/)).map(([whole, fraction]) => `${whole}.${fraction}`),
  fc
    .tuple(fc.nat({ max: 9 }), fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.nat({ max: 20 }))
    .map((parts) => parts.join('')),
);
const numberLiteral: fc.Arbitrary<Ast.NumberLiteral> = fc
  .oneof(integerRaw, floatRaw)
  .map((raw) => ({ kind: 'NumberLiteral', value: Number(raw), isFloat: /[.eE]/.test(raw), raw, span }));
const stringLiteral: fc.Arbitrary<Ast.StringLiteral> = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom('"', '\\', '\n\t', '\u0001\u007f', '\u2028', 'é😀'),
  )
  .map((value) => ({ kind: 'StringLiteral', value, span }));
const boolLiteral: fc.Arbitrary<Ast.BoolLiteral> = fc.boolean().map((value) => ({ kind: 'BoolLiteral', value, span }));

const BINARY_LEVELS: ReadonlyArray<readonly Ast.BinaryOperator[]> = [
  ['||'],
  ['&&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['+', '-'],
  ['*', '/', '%'],
];

/** Arbitraries by grammar level, each built once per depth. */
class Grammar {
  private readonly cache = new Map<string, fc.Arbitrary<unknown>>();

  private memo<T>(key: string, depth: number, build: () => fc.Arbitrary<T>): fc.Arbitrary<T> {
    const id = `${key}:${depth}`;
    if (!this.cache.has(id)) this.cache.set(id, build());
    return this.cache.get(id) as fc.Arbitrary<T>;
  }

  expression(depth: number): fc.Arbitrary<Ast.Expression> {
    return this.memo('expression', depth, () =>
      depth <= 0 ? this.ternary(0) : fc.oneof(this.ternary(depth), this.pipeline(depth)),
    );
  }

  pipeline(depth: number): fc.Arbitrary<Ast.Expression> {
    return this.memo('pipeline', depth, () =>
      fc
        .record({
          head: this.binary(0, depth - 1),
          stages: fc.array(this.stage(depth - 1), { minLength: 1, maxLength: 3 }),
        })
        .map(({ head, stages }): Ast.PipelineExpr => ({ kind: 'PipelineExpr', head, stages, span })),
    );
  }

  ternary(depth: number): fc.Arbitrary<Ast.Expression> {
    return this.memo('ternary', depth, () => {
      if (depth <= 0) return this.binary(0, 0);
      const conditional = fc
        .record({
          condition: this.binary(0, depth - 1),
          then: this.expression(depth - 1),
          otherwise: this.expression(depth - 1),
        })
        .map((parts): Ast.ConditionalExpr => ({ kind: 'ConditionalExpr', ...parts, span }));
      return fc.oneof({ weight: 3, arbitrary: this.binary(0, depth) }, { weight: 1, arbitrary: conditional });
    });
  }

  /** `level` indexes BINARY_LEVELS; past the last one come unary expressions. */
  binary(level: number, depth: number): fc.Arbitrary<Ast.Expression> {
    return this.memo(`binary${level}`, depth, () => {
      if (level >= BINARY_LEVELS.length) return this.unary(depth);
      const tighter = this.binary(level + 1, depth);
      if (depth <= 0) return tighter;
      const chain = fc
        .tuple(
          tighter,
          fc.array(fc.tuple(fc.constantFrom(...BINARY_LEVELS[level]!), this.binary(level + 1, depth - 1)), {
            minLength: 1,
            maxLength: 2,
          }),
        )
        .map(([first, rest]) =>
          rest.reduce<Ast.Expression>(
            (left, [operator, right]) => ({ kind: 'BinaryExpr', operator, left, right, span }),
            first,
          ),
        );
      return fc.oneof({ weight: 4, arbitrary: tighter }, { weight: 1, arbitrary: chain });
    });
  }

  unary(depth: number): fc.Arbitrary<Ast.Expression> {
    return this.memo('unary', depth, () => {
      if (depth <= 0) return this.postfix(0);
      const unary = fc
        .record({ operator: fc.constantFrom<'-' | '!'>('-', '!'), operand: this.unary(depth - 1) })
        .map((parts): Ast.UnaryExpr => ({ kind: 'UnaryExpr', ...parts, span }));
      return fc.oneof({ weight: 5, arbitrary: this.postfix(depth) }, { weight: 1, arbitrary: unary });
    });
  }

  postfix(depth: number): fc.Arbitrary<Ast.Expression> {
    return this.memo('postfix', depth, () => {
      if (depth <= 0) return this.primary(0);
      const suffix = fc.oneof(
        this.expression(depth - 1).map((index) => ({ index })),
        fc.array(this.annotation(depth - 1), { minLength: 1, maxLength: 2 }).map((annotations) => ({ annotations })),
      );
      return fc.tuple(this.primary(depth), fc.array(suffix, { maxLength: 2 })).map(([primary, suffixes]) =>
        suffixes.reduce<Ast.Expression>((target, next) => {
          if ('index' in next) return { kind: 'IndexExpr', target, index: next.index, span };
          // consecutive annotations make one AnnotatedExpr, as the parser builds it
          if (target.kind === 'AnnotatedExpr')
            return { ...target, annotations: [...target.annotations, ...next.annotations] };
          return { kind: 'AnnotatedExpr', expression: target, annotations: next.annotations, span };
        }, primary),
      );
    });
  }

  primary(depth: number): fc.Arbitrary<Ast.Expression> {
    return this.memo('primary', depth, () => {
      const leaves = fc.oneof(numberLiteral, stringLiteral, boolLiteral, identifier);
      if (depth <= 0) return leaves;
      const inner = this.expression(depth - 1);
      return fc.oneof(
        { weight: 4, arbitrary: leaves },
        {
          weight: 2,
          arbitrary: fc
            .record({ callee: identifier, args: this.argumentList(depth - 1) })
            .map((parts): Ast.CallExpr => ({ kind: 'CallExpr', ...parts, span })),
        },
        {
          weight: 2,
          arbitrary: fc
            .array(this.listItem(depth - 1), { maxLength: 3 })
            .map((items): Ast.ListExpr => ({ kind: 'ListExpr', items, span })),
        },
        { weight: 1, arbitrary: inner.map((expression): Ast.ParenExpr => ({ kind: 'ParenExpr', expression, span })) },
        {
          weight: 1,
          arbitrary: fc
            .array(inner, { minLength: 2, maxLength: 3 })
            .map((elements): Ast.TupleExpr => ({ kind: 'TupleExpr', elements, span })),
        },
      );
    });
  }

  listItem(depth: number): fc.Arbitrary<Ast.ListItem> {
    return this.memo('listItem', depth, () => {
      const comprehension = fc
        .record(
          {
            variable: identifier,
            iterable: this.ternary(depth),
            condition: this.ternary(depth),
            body: this.expression(depth),
          },
          { requiredKeys: ['variable', 'iterable', 'body'] },
        )
        .map((parts): Ast.Comprehension => ({ kind: 'Comprehension', ...parts, span }));
      return fc.oneof({ weight: 3, arbitrary: this.expression(depth) }, { weight: 1, arbitrary: comprehension });
    });
  }

  argumentList(depth: number): fc.Arbitrary<Ast.Argument[]> {
    return this.memo('arguments', depth, () => {
      const argument = fc
        .record({ name: identifier, value: this.expression(depth) }, { requiredKeys: ['value'] })
        .map((parts): Ast.Argument => ({ kind: 'Argument', ...parts, span }));
      return fc.array(argument, { maxLength: 3 });
    });
  }

  annotation(depth: number): fc.Arbitrary<Ast.Annotation> {
    return this.memo('annotation', depth, () =>
      fc
        .record({ name: identifier, args: this.argumentList(depth) })
        .map((parts): Ast.Annotation => ({ kind: 'Annotation', ...parts, span })),
    );
  }

  stage(depth: number): fc.Arbitrary<Ast.Stage> {
    return this.memo('stage', depth, () => {
      const annotations = fc.array(this.annotation(depth), { maxLength: 2 });
      const call = fc
        .record(
          { callee: identifier, args: this.argumentList(depth), annotations },
          { requiredKeys: ['callee', 'annotations'] },
        )
        .map((parts): Ast.CallStage => ({ kind: 'CallStage', ...parts, span }));
      if (depth <= 0) return call;
      const repeat = fc
        .record(
          {
            count: this.ternary(depth - 1),
            variable: identifier,
            stages: fc.array(this.stage(depth - 1), { minLength: 1, maxLength: 2 }),
            annotations,
          },
          { requiredKeys: ['count', 'stages', 'annotations'] },
        )
        .map((parts): Ast.RepeatStage => ({ kind: 'RepeatStage', ...parts, span }));
      return fc.oneof({ weight: 3, arbitrary: call }, { weight: 1, arbitrary: repeat });
    });
  }
}

const grammar = new Grammar();
const DEPTH = 3;

const docText = fc
  .array(
    fc.string({ unit: 'binary', maxLength: 12 }).map((line) => line.replace(/[\r\n]/g, ' ')),
    { minLength: 1, maxLength: 3 },
  )
  .map((lines) => lines.join('\n'));
const withDoc = <T extends object>(node: T) =>
  fc.option(docText, { nil: undefined }).map((doc) => (doc === undefined ? node : { ...node, doc }));

const statement: fc.Arbitrary<Ast.Statement> = fc
  .oneof(
    fc
      .record({
        names: fc.array(identifier, { minLength: 1, maxLength: 3 }),
        destructure: fc.boolean(),
        value: grammar.expression(DEPTH),
      })
      .map((parts): Ast.LetStmt => ({
        kind: 'LetStmt',
        ...parts,
        destructure: parts.destructure || parts.names.length > 1,
        span,
      })),
    fc
      .record({
        name: identifier,
        type: fc
          .record({ dtype: identifier, dims: fc.array(grammar.expression(1), { minLength: 1, maxLength: 4 }) })
          .map((parts): Ast.TensorTypeRef => ({ kind: 'TensorTypeRef', ...parts, span })),
        annotations: fc.array(grammar.annotation(1), { maxLength: 2 }),
        constraints: fc.array(grammar.expression(2), { maxLength: 2 }),
      })
      .map((parts): Ast.InputStmt => ({ kind: 'InputStmt', ...parts, span })),
    fc
      .record({ name: identifier, value: grammar.expression(DEPTH) })
      .map((parts): Ast.OutputStmt => ({ kind: 'OutputStmt', ...parts, span })),
    grammar.expression(DEPTH).map((value): Ast.ReturnStmt => ({ kind: 'ReturnStmt', value, span })),
  )
  .chain((node) => withDoc(node));

const param: fc.Arbitrary<Ast.Param> = fc
  .record(
    {
      name: identifier,
      type: fc.record({ name, list: fc.boolean() }).map((parts): Ast.TypeRef => ({ kind: 'TypeRef', ...parts, span })),
      default: grammar.expression(2),
    },
    { requiredKeys: ['name'] },
  )
  .map((parts) => ({ kind: 'Param', ...parts, span }));

const declaration: fc.Arbitrary<Ast.Declaration> = fc
  .record({
    kind: fc.constantFrom<'BlockDecl' | 'ModelDecl'>('BlockDecl', 'ModelDecl'),
    name: identifier,
    params: fc.array(param, { maxLength: 3 }),
    body: fc.array(statement, { maxLength: 4 }),
    annotations: fc.array(grammar.annotation(1), { maxLength: 2 }),
  })
  .map((parts): Ast.Declaration => ({ ...parts, span }))
  .chain((node) => withDoc(node));

const importDecl: fc.Arbitrary<Ast.ImportDecl> = fc
  .record({
    names: fc.array(
      fc
        .record({ name: identifier, alias: identifier }, { requiredKeys: ['name'] })
        .map((parts): Ast.ImportName => ({ kind: 'ImportName', ...parts, span })),
      { minLength: 1, maxLength: 3 },
    ),
    from: fc.string({ maxLength: 12 }),
  })
  .map((parts): Ast.ImportDecl => ({ kind: 'ImportDecl', ...parts, fromSpan: span, span }));

/** A random program as the parser would build it, without comments. */
export const program: fc.Arbitrary<Ast.Program> = fc
  .record({ imports: fc.array(importDecl, { maxLength: 2 }), declarations: fc.array(declaration, { maxLength: 3 }) })
  .map((parts): Ast.Program => ({ kind: 'Program', ...parts, comments: [], span }));
