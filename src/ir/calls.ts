/**
 * Binding a call's arguments to the callee's parameters, with Python's rules (positional first,
 * then named; nothing twice), and coercing each value to the parameter's type. Shared by op
 * calls and block calls.
 */
import type { Span } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Argument, Expression, Param } from '../parser/ast.js';
import type { ParamSpec, ParamType } from '../ops/op.js';
import { type Value, describe, list } from './values.js';
import { MAX_SIZE } from '../limits.js';
import { codes } from '../diagnostics/codes.js';

/** A parameter as the binder sees it; `any` accepts every value (an untyped block param with a default). */
export interface Formal {
  readonly name: string;
  readonly type: ParamType | 'any';
  readonly required: boolean;
  /** Only by name, never by position. */
  readonly named?: boolean;
}

export interface Callee {
  readonly name: string;
  readonly kind: 'operation' | 'block';
  readonly formals: readonly Formal[];
  /** The hint for too many positional arguments, when the signature alone would not explain it. */
  readonly positionalHint?: string;
}

export interface BoundArgument {
  readonly value: Value;
  readonly span: Span;
}

/** Reports a problem with a call: code, span, message, hint. */
export type Report = (code: string, span: Span, message: string, hint?: string) => void;

/** Evaluates an argument expression; `enumValues` lets a bare name stand for an enum member. */
export type EvaluateArgument = (expression: Expression, type: ParamType | 'any') => Value;

export function formalsOfOp(params: readonly ParamSpec[]): Formal[] {
  return params.map((p) => ({
    name: p.name,
    type: p.type,
    required: p.default === undefined,
    ...(p.named ? { named: true } : {}),
  }));
}

/** Block params: untyped without default = tensor; `tensor[]` = a list of tensors. */
export function formalsOfBlock(params: readonly Param[]): Formal[] {
  return params.map((p) => ({ name: p.name.name, type: blockParamType(p), required: p.default === undefined }));
}

export function blockParamType(param: Param): ParamType | 'any' {
  if (!param.type) return param.default ? 'any' : 'tensor';
  const { name, list: isList } = param.type;
  if (name === 'tensor') return isList ? 'tensors' : 'tensor';
  if (name === 'int' || name === 'float') return isList ? `${name}[]` : name;
  if (name === 'bool' || name === 'string') return isList ? 'any' : name;
  return 'any';
}

export const KNOWN_TYPES = ['int', 'float', 'bool', 'string', 'tensor'];

export function signature(callee: Callee): string {
  const parts = callee.formals.map(
    (f) => `${f.name}${f.type === 'any' ? '' : `: ${typeText(f.type)}`}${f.required ? '' : '?'}`,
  );
  const firstNamed = callee.formals.findIndex((f) => f.named);
  if (firstNamed >= 0) parts.splice(firstNamed, 0, '*');
  return `${callee.name}(${parts.join(', ')})`;
}

export function typeText(type: ParamType | 'any'): string {
  if (typeof type === 'object') return type.enum.join(' | ');
  if (type === 'int2') return 'int | [int, int]';
  if (type === 'tensors') return 'tensor[]';
  return type;
}

interface Positional {
  readonly span: Span;
  readonly expression?: Expression;
  readonly value?: Value;
}

/**
 * Binds `args` (after an optional piped-in first value) to `callee`'s formals. Returns the bound
 * values by parameter name, or undefined if the call is malformed (already reported).
 */
export function bindArguments(
  callee: Callee,
  piped: { value: Value; span: Span } | undefined,
  args: readonly Argument[],
  callSpan: Span,
  evaluate: EvaluateArgument,
  report: Report,
): Map<string, BoundArgument> | undefined {
  const positional: Positional[] = [
    ...(piped ? [{ span: piped.span, value: piped.value }] : []),
    ...args.filter((a) => !a.name).map((a) => ({ span: a.span, expression: a.value })),
  ];
  const bound = new Map<string, BoundArgument>();
  let ok = true;
  let next = 0;
  const valueOf = (p: Positional, type: ParamType | 'any') => p.value ?? evaluate(p.expression!, type);
  for (const [index, formal] of callee.formals.entries()) {
    if (next >= positional.length) break;
    // Optional tensor arguments after the first (`like:`) are named only, so `crop([1, 1])`
    // and `upsample(2)` reach `amount` and `factor`.
    if ((index > 0 && formal.type === 'tensor' && !formal.required) || formal.named) continue;
    if (formal.type === 'tensors') {
      const first = valueOf(positional[next]!, formal.type);
      if (first.kind === 'list') {
        bound.set(formal.name, { value: first, span: positional[next++]!.span });
        continue;
      }
      // A failed tensor (poison) still counts as one of the tensors, so `add(bad, x)` stays
      // silent instead of reporting `x` as an extra argument.
      const items: Value[] = [first];
      const start = positional[next++]!.span;
      let end = start;
      while (next < positional.length) {
        const value = valueOf(positional[next]!, formal.type);
        if (value.kind !== 'tensor' && value.kind !== 'poison') {
          positional[next] = { ...positional[next]!, value };
          break;
        }
        items.push(value);
        end = positional[next++]!.span;
      }
      bound.set(formal.name, { value: list(items), span: { file: start.file, start: start.start, end: end.end } });
      continue;
    }
    const p = positional[next++]!;
    bound.set(formal.name, { value: valueOf(p, formal.type), span: p.span });
  }
  if (next < positional.length) {
    const extra = positional[next]!;
    const count = callee.formals.filter((f) => !f.named).length;
    report(
      codes.tooManyArguments,
      extra.span,
      `\`${callee.name}\` takes at most ${count} positional argument${count === 1 ? '' : 's'}${piped ? ' (counting the piped input)' : ''}`,
      callee.positionalHint ?? `the signature is ${signature(callee)}`,
    );
    ok = false;
  }
  for (const arg of args) {
    if (!arg.name) continue;
    const name = arg.name.name;
    const formal = callee.formals.find((f) => f.name === name);
    if (!formal) {
      const hint =
        didYouMean(
          name,
          callee.formals.map((f) => f.name),
        ) ?? `the signature is ${signature(callee)}`;
      report(codes.unknownArgument, arg.name.span, `\`${callee.name}\` has no parameter named \`${name}\``, hint);
      ok = false;
      continue;
    }
    if (bound.has(name)) {
      report(
        codes.repeatedArgument,
        arg.name.span,
        `the argument \`${name}\` of \`${callee.name}\` is given twice`,
        'remove one of them',
      );
      ok = false;
      continue;
    }
    bound.set(name, { value: evaluate(arg.value, formal.type), span: arg.span });
  }
  // A misspelt argument name is usually the missing argument: report it once, as the misspelling.
  const misspelt = args.some((a) => a.name && !callee.formals.some((f) => f.name === a.name!.name));
  for (const formal of callee.formals) {
    if (formal.required && !bound.has(formal.name) && !misspelt) {
      report(
        codes.missingArgument,
        callSpan,
        `\`${callee.name}\` is missing the argument \`${formal.name}\``,
        `the signature is ${signature(callee)}`,
      );
      ok = false;
    }
  }
  return ok ? bound : undefined;
}

/**
 * Converts a value to a parameter's type, or returns an error message. Ints widen to floats;
 * an int2 accepts `3` or `[3, 3]` and always yields a pair.
 */
export function coerce(value: Value, type: ParamType | 'any'): Value | string {
  if (value.kind === 'poison' || type === 'any') return value;
  const fail = () => `expected ${typeText(type)}, got ${describe(value)}`;
  if (typeof type === 'object') {
    if (value.kind === 'string' && type.enum.includes(value.value)) return value;
    const suggestion = value.kind === 'string' ? didYouMean(value.value, type.enum) : undefined;
    return suggestion ? `${fail()}; ${suggestion}` : fail();
  }
  switch (type) {
    case 'tensor':
      return value.kind === 'tensor' ? value : fail();
    case 'tensors':
      return value.kind === 'list' && value.items.every((i) => i.kind === 'tensor' || i.kind === 'poison')
        ? value
        : fail();
    case 'int':
      return value.kind === 'int' ? withinSizeLimit(value) : fail();
    case 'float':
      return value.kind === 'float' ? value : value.kind === 'int' ? { kind: 'float', value: value.value } : fail();
    case 'bool':
    case 'string':
      return value.kind === type ? value : fail();
    case 'int2':
      if (value.kind === 'int') return withinSizeLimit(value, list([value, value]));
      return value.kind === 'list' && value.items.length === 2 && value.items.every((i) => i.kind === 'int')
        ? withinSizeLimit(value)
        : fail();
    case 'int[]':
      return value.kind === 'list' && value.items.every((i) => i.kind === 'int') ? withinSizeLimit(value) : fail();
    case 'float[]':
      if (value.kind !== 'list' || !value.items.every((i) => i.kind === 'int' || i.kind === 'float')) return fail();
      return list(value.items.map((i) => ({ kind: 'float' as const, value: (i as { value: number }).value })));
  }
}

/**
 * Ints passed to a parameter are sizes, strides, counts or axes; a huge one would make the size
 * checker or the runtime allocate without bound, so they are refused past MAX_SIZE.
 */
function withinSizeLimit(value: Value, result: Value = value): Value | string {
  const ints = value.kind === 'list' ? value.items : [value];
  const huge = ints.find((item) => item.kind === 'int' && Math.abs(item.value) > MAX_SIZE);
  if (!huge || huge.kind !== 'int') return result;
  return `${huge.value} is out of range: an int argument is at most ${MAX_SIZE} in magnitude (see docs/limits.md)`;
}
