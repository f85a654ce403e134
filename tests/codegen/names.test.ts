/**
 * The pieces of safe emission on their own: identifiers from arbitrary names, literals that
 * read back as the same value (checked by parsing them with TypeScript), inert comment text,
 * and `where` constraints translated to conditions that agree with the `.seg` evaluator.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { translateConstraint } from '../../src/codegen/constraints.js';
import { Namer, camelCase, isIdentifierText, literalKey, pascalCase } from '../../src/codegen/identifiers.js';
import { docCommentText, lineCommentText, numberLiteral, quote } from '../../src/codegen/text.js';
import type { InputStmt } from '../../src/parser/ast.js';
import { compileText } from '../helpers/compile.js';

/** The value of `expression`, read by TypeScript's parser (no evaluation of generated code). */
function parsedLiteral(expression: string): ts.Expression {
  const file = ts.createSourceFile('x.ts', `const value = ${expression};`, ts.ScriptTarget.ES2022, true);
  const statement = file.statements[0] as ts.VariableStatement;
  expect((file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics).toEqual([]);
  return statement.declarationList.declarations[0]!.initializer!;
}

describe('identifiers', () => {
  it.each([
    ['encoded/aspp/branches/0/conv', 'encodedAsppBranches0Conv'],
    ['mapA/conv_1', 'mapAConv1'],
    ['1x1/conv', '_1x1Conv'],
    ['größe/日本', 'größe日本'],
    ['a-b c$d', 'aBCD'],
    ['', 'tensor'],
    ['///', 'tensor'],
  ])('camelCase(%j) is %j and a valid identifier', (name, expected) => {
    expect(camelCase(name)).toBe(expected);
    expect(isIdentifierText(camelCase(name))).toBe(true);
  });

  it('gives type names in PascalCase', () => {
    expect([pascalCase('DeepLabV3Plus'), pascalCase('ACoL'), pascalCase('deep_lab'), pascalCase('3d')]).toEqual([
      'DeepLabV3Plus',
      'ACoL',
      'DeepLab',
      'Model_3d',
    ]);
  });

  it('never hands out a reserved word, a taken name or the same name twice', () => {
    const namer = new Namer(['layers']);
    const names = ['class', 'await', 'tf', 'layers', 'conv', 'conv', 'conv2', 'undefined'].map((n) => namer.claim(n));
    expect(names).toEqual(['class2', 'await2', 'tf2', 'layers2', 'conv', 'conv2', 'conv22', 'undefined2']);
    expect(new Set(names).size).toBe(names.length);
  });

  it('writes __proto__ as a computed key, so it names a property and not the prototype', () => {
    expect(literalKey('__proto__')).toBe("['__proto__']");
    expect(literalKey('logits')).toBe('logits');
    expect(literalKey('a b')).toBe("'a b'");
  });
});

describe('literals and comments', () => {
  it.each([
    'plain',
    "it's",
    'say "hi"',
    'back\\slash',
    '`${x}`',
    '*/',
    'line\nbreak',
    'sep\u2028arator',
    'größe → 日本',
    '\u0000',
  ])('quote(%j) reads back as the same string', (text) => {
    const parsed = parsedLiteral(quote(text));
    expect(ts.isStringLiteral(parsed)).toBe(true);
    expect((parsed as ts.StringLiteral).text).toBe(text);
  });

  it.each([0, -0, 1e-5, 0.1, -3, 1 / 3, 2 ** 53 + 2, 5e-324, Infinity, -Infinity])(
    'numberLiteral(%d) reads back as the same double',
    (value) => {
      const text = numberLiteral(value);
      // eslint-disable-next-line no-new-func -- evaluates a literal only, not generated code
      expect(Object.is(Function(`return ${text};`)(), value)).toBe(true);
    },
  );

  it('keeps comment text inert', () => {
    expect(lineCommentText('a\nb\r\nc\u2028d')).toBe('a b c d');
    expect(docCommentText('x */ y')).toBe('x *\\/ y');
    expect(docCommentText('x */ y')).not.toContain('*/');
  });
});

describe('where constraints as conditions', () => {
  const source = (where: string) =>
    `model M(k: int = 8, on: bool = true) {\n  input x: f32[N, H, W, 3] where ${where}\n  output y = x -> conv(2, 1)\n}`;

  it.each([
    'H % 16 == 0',
    'H >= 32 && W <= 64',
    '(H - 1) % 8 == 0',
    'H / 3 * 3 == H || !(W > 20)',
    'H % k == 0 && on',
    '-H + 40 > 0 ? W % 2 == 0 : W % 4 == 0',
    '(H - 50) % 7 == 3',
  ])('`%s` agrees with the evaluator on every size up to 80', (where) => {
    const result = compileText(source(where));
    const model = result.models[0]!;
    expect(model.graph, result.diagnostics.map((d) => d.message).join('; ')).toBeDefined();
    const input = model.declaration.body.find((s): s is InputStmt => s.kind === 'InputStmt')!;
    const code = translateConstraint(input.constraints[0]!, {
      symbols: new Map([
        ['H', 'H'],
        ['W', 'W'],
      ]),
      params: model.graph!.params,
    });
    expect(code).toBeDefined();
    // eslint-disable-next-line no-new-func -- the translated condition, over two numbers
    const condition = Function('H', 'W', `return ${code};`) as (h: number, w: number) => boolean;
    const constraint = model.sizes.constraints[0]!;
    for (let h = 1; h <= 80; h++) {
      for (const w of [1, 7, 20, 21, 64, 65]) {
        const env = new Map(
          [
            ['H', h],
            ['W', w],
          ].filter(([s]) => constraint.symbols.includes(s as string)) as [string, number][],
        );
        expect(condition(h, w), `${where} at H = ${h}, W = ${w}`).toBe(constraint.holds(env));
      }
    }
  });

  it('leaves a float constraint untranslated rather than guess', () => {
    const result = compileText(source('H * 0.5 >= 4.0'));
    const input = result.models[0]!.declaration.body.find((s): s is InputStmt => s.kind === 'InputStmt')!;
    expect(translateConstraint(input.constraints[0]!, { symbols: new Map([['H', 'H']]), params: {} })).toBeUndefined();
  });
});
