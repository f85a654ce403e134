/**
 * Compile-time arithmetic, comparison and logic. Integers stay integers (`/` on two ints divides
 * and rounds down, like Python's `//`); any float makes the result a float. `%` takes the sign of
 * the divisor, as in Python. Sizes that depend on the input (`H`) combine with ints into sizes
 * (`H / 2 + 1`); they cannot be compared, because the answer would depend on the input.
 */
import type { BinaryOperator } from '../parser/ast.js';
import { MAX_EXACT_INTEGER } from '../limits.js';
import { type Dim, add, dim, floorDiv, mul, sub } from '../shapes/symbolic.js';
import { type Value, bool, float, int, isNumber, list, show, size, str, typeName } from './values.js';

const COMPARISONS: readonly BinaryOperator[] = ['==', '!=', '<', '<=', '>', '>='];

/** Whether `operator` would compare a size that depends on the input. */
export function comparesSize(operator: BinaryOperator, left: Value, right: Value): boolean {
  return COMPARISONS.includes(operator) && (left.kind === 'size' || right.kind === 'size');
}

/** The result, or an error message. */
export function binary(operator: BinaryOperator, left: Value, right: Value): Value | string {
  if (left.kind === 'size' || right.kind === 'size') return sizeArithmetic(operator, left, right);
  if (operator === '==' || operator === '!=') {
    const same = equalValues(left, right);
    return same === undefined
      ? `cannot compare ${typeName(left)} with ${typeName(right)}`
      : bool(operator === '==' ? same : !same);
  }
  if (operator === '&&' || operator === '||') {
    if (left.kind !== 'bool' || right.kind !== 'bool')
      return `\`${operator}\` needs two bools, got ${typeName(left)} and ${typeName(right)}`;
    return bool(operator === '&&' ? left.value && right.value : left.value || right.value);
  }
  if (operator === '+' && left.kind === 'string' && right.kind === 'string') return str(left.value + right.value);
  if (operator === '+' && left.kind === 'list' && right.kind === 'list') return list([...left.items, ...right.items]);
  if (!isNumber(left) || !isNumber(right))
    return `\`${operator}\` needs numbers, got ${typeName(left)} and ${typeName(right)}`;
  const result = arithmetic(operator, left, right);
  return typeof result === 'string' ? result : exactOrRefused(result, operator, left.value, right.value);
}

/**
 * Doubles hold every integer up to 2^53 exactly; past it `a * b` would be rounded without a
 * word, and a float can overflow to Infinity. Both are refused instead.
 */
function exactOrRefused(result: Value, operator: BinaryOperator, a: number, b: number): Value | string {
  if (result.kind === 'int' && !Number.isSafeInteger(result.value)) {
    return `integer overflow: ${a} ${operator} ${b} is beyond ${MAX_EXACT_INTEGER} (2^53 - 1), the largest exact integer`;
  }
  if (result.kind === 'float' && !Number.isFinite(result.value)) return `${a} ${operator} ${b} is not a finite number`;
  return result;
}

function arithmetic(
  operator: BinaryOperator,
  left: { kind: 'int' | 'float'; value: number },
  right: { kind: 'int' | 'float'; value: number },
): Value | string {
  const a = left.value;
  const b = right.value;
  const ints = left.kind === 'int' && right.kind === 'int';
  const number = (v: number) => (ints ? int(v) : float(v));
  switch (operator) {
    case '+':
      return number(a + b);
    case '-':
      return number(a - b);
    case '*':
      return number(a * b);
    case '/':
      if (b === 0) return 'division by zero';
      return ints ? int(Math.floor(a / b)) : float(a / b);
    case '%':
      if (b === 0) return 'modulo by zero';
      return number(a - b * Math.floor(a / b));
    case '<':
      return bool(a < b);
    case '<=':
      return bool(a <= b);
    case '>':
      return bool(a > b);
    case '>=':
      return bool(a >= b);
    default:
      return `unexpected operator ${operator}`;
  }
}

function asDim(value: Value): Dim | undefined {
  if (value.kind === 'size') return value.dim;
  return value.kind === 'int' ? dim(value.value) : undefined;
}

function sizeArithmetic(operator: BinaryOperator, left: Value, right: Value): Value | string {
  const [a, b] = [asDim(left), asDim(right)];
  if (!a || !b) return `\`${operator}\` needs numbers or sizes, got ${typeName(left)} and ${typeName(right)}`;
  if (comparesSize(operator, left, right))
    return `cannot compare ${show(left)} with ${show(right)}: it depends on the input size`;
  const divisor = right.kind === 'int' ? right.value : 0;
  switch (operator) {
    case '+':
      return size(add(a, b));
    case '-':
      return size(sub(a, b));
    case '*':
      return size(mul(a, b));
    case '/':
    case '%':
      if (divisor <= 0) return `a size can be divided only by an int ≥ 1, got ${show(right)}`;
      return size(operator === '/' ? floorDiv(a, divisor) : sub(a, mul(floorDiv(a, divisor), dim(divisor))));
    default:
      return `\`${operator}\` needs two bools, got ${typeName(left)} and ${typeName(right)}`;
  }
}

export function unary(operator: '-' | '!', operand: Value): Value | string {
  if (operand.kind === 'size' && operator === '-') return size(mul(dim(-1), operand.dim));
  if (operator === '!')
    return operand.kind === 'bool' ? bool(!operand.value) : `\`!\` needs a bool, got ${typeName(operand)}`;
  if (operand.kind === 'int') return int(-operand.value);
  if (operand.kind === 'float') return float(-operand.value);
  return `\`-\` needs a number, got ${typeName(operand)}`;
}

/** Structural equality of compile-time values; undefined when they cannot be compared. */
export function equalValues(a: Value, b: Value): boolean | undefined {
  if (isNumber(a) && isNumber(b)) return a.value === b.value;
  if (a.kind !== b.kind) return undefined;
  switch (a.kind) {
    case 'bool':
    case 'string':
      return a.value === (b as typeof a).value;
    case 'list':
    case 'tuple': {
      const other = b as typeof a;
      if (a.items.length !== other.items.length) return false;
      return a.items.every((item, i) => equalValues(item, other.items[i]!) === true);
    }
    default:
      return undefined;
  }
}
