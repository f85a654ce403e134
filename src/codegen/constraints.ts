/**
 * `where` constraints as TypeScript conditions, for the input checks of a generated module.
 * Only what is certain to mean the same in both languages is translated: integer arithmetic
 * (`/` rounds down and `%` takes the divisor's sign, as in the `.seg` evaluator), comparisons,
 * logic, conditionals, size symbols and numeric or boolean model parameters. Anything else
 * leaves the constraint to the interpreter, and the generated code says so.
 */
import type { AttrValue } from '../ops/op.js';
import type { Expression } from '../parser/ast.js';
import { numberLiteral } from './text.js';

export interface ConstraintNames {
  /** The local holding each size symbol's value. */
  readonly symbols: ReadonlyMap<string, string>;
  readonly params: Readonly<Record<string, AttrValue>>;
}

type Translation = string | undefined;

const COMPARISONS: Readonly<Record<string, string>> = {
  '==': '===',
  '!=': '!==',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  '&&': '&&',
  '||': '||',
};

function isNonNegativeOperand(expression: Expression, names: ConstraintNames): boolean {
  if (expression.kind === 'Identifier') return names.symbols.has(expression.name);
  return expression.kind === 'NumberLiteral' && expression.value >= 0;
}

function isPositiveLiteral(expression: Expression): boolean {
  return expression.kind === 'NumberLiteral' && expression.value > 0;
}

function arithmetic(operator: string, left: string, right: string, plainModulo: boolean): Translation {
  switch (operator) {
    case '+':
    case '-':
    case '*':
      return `${left} ${operator} ${right}`;
    case '/':
      return `Math.floor(${left} / ${right})`;
    case '%':
      // Sizes are positive, so `H % 16` needs no sign correction; other operands get one.
      return plainModulo ? `${left} % ${right}` : `(((${left}) % ${right}) + ${right}) % ${right}`;
    default:
      return undefined;
  }
}

function identifier(name: string, names: ConstraintNames): Translation {
  const local = names.symbols.get(name);
  if (local) return local;
  const value = names.params[name];
  if (typeof value === 'number' && Number.isInteger(value)) return numberLiteral(value);
  return typeof value === 'boolean' ? String(value) : undefined;
}

/** Every binary operation comes back parenthesised, so precedence never depends on the language. */
function translate(expression: Expression, names: ConstraintNames): Translation {
  const recurse = (e: Expression) => translate(e, names);
  switch (expression.kind) {
    case 'NumberLiteral':
      return expression.isFloat || !Number.isInteger(expression.value) ? undefined : numberLiteral(expression.value);
    case 'BoolLiteral':
      return String(expression.value);
    case 'Identifier':
      return identifier(expression.name, names);
    case 'ParenExpr':
      return recurse(expression.expression);
    case 'UnaryExpr': {
      const operand = recurse(expression.operand);
      return operand === undefined ? undefined : `${expression.operator}(${operand})`;
    }
    case 'ConditionalExpr': {
      const parts = [expression.condition, expression.then, expression.otherwise].map(recurse);
      return parts.some((p) => p === undefined) ? undefined : `(${parts[0]} ? ${parts[1]} : ${parts[2]})`;
    }
    case 'BinaryExpr': {
      const [left, right] = [recurse(expression.left), recurse(expression.right)];
      if (left === undefined || right === undefined) return undefined;
      const comparison = COMPARISONS[expression.operator];
      if (comparison) return `(${left} ${comparison} ${right})`;
      const plainModulo = isNonNegativeOperand(expression.left, names) && isPositiveLiteral(expression.right);
      const result = arithmetic(expression.operator, left, right, plainModulo);
      return result === undefined ? undefined : `(${result})`;
    }
    default:
      return undefined;
  }
}

/** The condition as TypeScript, or undefined when it cannot be translated with certainty. */
export function translateConstraint(expression: Expression, names: ConstraintNames): Translation {
  const result = translate(expression, names);
  const outer = expression.kind === 'ParenExpr' ? expression.expression : expression;
  return result !== undefined && outer.kind === 'BinaryExpr' ? result.slice(1, -1) : result;
}
