/**
 * The input checks of a generated module, the same the interpreter makes before it runs
 * (`SegModel.predict`): each input has the declared rank and fixed sizes, a size symbol has one
 * value across inputs, and the `where` constraints hold. Failures throw an Error that names the
 * input and the sizes, before any kernel runs.
 */
import type { Graph } from '../ir/graph.js';
import type { EmitHelper } from '../ops/op.js';
import type { InputStmt, ModelDecl } from '../parser/ast.js';
import { translateConstraint } from './constraints.js';
import { Namer, isIdentifierText } from './identifiers.js';
import { lineCommentText, quote } from './text.js';

export const REQUIRE_SHAPE: EmitHelper = {
  name: 'requireShape',
  parameters: [
    { name: 'name', type: 'string' },
    { name: 'tensor', type: 'tf.Tensor | undefined' },
    { name: 'expected', type: 'readonly (number | string | null)[]' },
    { name: 'sizes', type: 'Map<string, number>' },
  ],
  returnType: 'void',
  docs: 'Checks an input tensor: its rank, its fixed sizes (numbers), and that a size symbol (a name) has one value across inputs; `null` accepts any size.',
  statements: [
    'if (!(tensor instanceof tf.Tensor)) throw new Error(`no tensor given for the input \\`${name}\\``);',
    'if (tensor.rank !== expected.length) {',
    "  throw new Error(`the input \\`${name}\\` must have rank ${expected.length}, got shape [${tensor.shape.join(', ')}]`);",
    '}',
    'expected.forEach((size, axis) => {',
    '  const actual = tensor.shape[axis]!;',
    "  if (typeof size === 'number' && size !== actual) {",
    '    throw new Error(`the input \\`${name}\\` must have size ${size} on axis ${axis}, got ${actual}`);',
    '  }',
    "  if (typeof size !== 'string') return;",
    '  const bound = sizes.get(size);',
    '  if (bound !== undefined && bound !== actual) throw new Error(`the input \\`${name}\\` has ${actual} on axis ${axis}, but ${size} is ${bound}`);',
    '  sizes.set(size, actual);',
    '});',
  ],
};

export const REQUIRE_CONSTRAINT: EmitHelper = {
  name: 'requireConstraint',
  parameters: [
    { name: 'holds', type: 'boolean' },
    { name: 'constraint', type: 'string' },
    { name: 'symbols', type: 'readonly string[]' },
    { name: 'sizes', type: 'ReadonlyMap<string, number>' },
  ],
  returnType: 'void',
  docs: 'Throws when a `where` constraint of the model does not hold for the input sizes.',
  statements: [
    'if (holds) return;',
    "const values = symbols.map((symbol) => `${symbol} = ${sizes.get(symbol)}`).join(', ');",
    'throw new Error(`the input sizes ${values} break \\`${constraint}\\`: resize the input to a size the model accepts`);',
  ],
};

export interface InputCheck {
  readonly statements: string[];
  readonly helpers: EmitHelper[];
}

function expectedShape(graph: Graph, node: number): string {
  const sizes = graph.nodes[node]!.type.shape.map((d) =>
    d.kind === 'const' ? String(d.value) : d.kind === 'sym' ? quote(d.name) : 'null',
  );
  return `[${sizes.join(', ')}]`;
}

function inputStatements(model?: ModelDecl): InputStmt[] {
  return (model?.body ?? []).filter((s): s is InputStmt => s.kind === 'InputStmt');
}

/** Statements that check `inputs` (a parameter of that name), given the model's declaration. */
export function inputCheck(graph: Graph, inputsAccess: (name: string) => string, model?: ModelDecl): InputCheck {
  const statements = ['const sizes = new Map<string, number>();'];
  for (const input of graph.inputs)
    statements.push(
      `requireShape(${quote(input.name)}, ${inputsAccess(input.name)}, ${expectedShape(graph, input.node)}, sizes);`,
    );
  const constraints = inputStatements(model).flatMap((statement) => statement.constraints);
  const symbols = graph.symbols.map((s) => s.name);
  const namer = new Namer(['sizes', 'inputs', REQUIRE_SHAPE.name, REQUIRE_CONSTRAINT.name]);
  const locals = new Map(symbols.map((s) => [s, namer.claim(isIdentifierText(s) ? s : 'size')]));
  const checks: string[] = [];
  const used = new Set<string>();
  // Constraints the elaborator rejected never reach the graph; without a one-to-one match, check none.
  const aligned = constraints.length === graph.constraints.length;
  graph.constraints.forEach((constraint, index) => {
    const expression = aligned ? constraints[index] : undefined;
    const condition = expression
      ? translateConstraint(expression, { symbols: locals, params: graph.params })
      : undefined;
    if (condition === undefined) {
      checks.push(
        `// Not translated, so not checked here (the interpreter checks it): ${lineCommentText(constraint.text)}`,
      );
      return;
    }
    constraint.symbols.forEach((symbol) => used.add(symbol));
    checks.push(
      `requireConstraint(${condition}, ${quote(constraint.text)}, [${constraint.symbols.map(quote).join(', ')}], sizes);`,
    );
  });
  for (const [symbol, local] of locals)
    if (used.has(symbol)) statements.push(`const ${local} = sizes.get(${quote(symbol)})!;`);
  statements.push(...checks);
  const helpers = used.size > 0 ? [REQUIRE_SHAPE, REQUIRE_CONSTRAINT] : [REQUIRE_SHAPE];
  return { statements, helpers };
}
