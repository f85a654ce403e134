/**
 * Evaluates expressions while a model is elaborated: compile-time values are computed, op calls
 * become IR nodes, block calls are expanded in place (with their call site recorded on every node
 * they create). Mistakes are reported and evaluation goes on with a poison value.
 */
import { type DiagnosticBag, InternalError, type Span } from '../diagnostics/diagnostic.js';
import type { Module } from '../program/modules.js';
import type * as ast from '../parser/ast.js';
import { type OpDef, type ParamType } from '../ops/op.js';
import { findOp } from '../ops/registry.js';
import { findBuiltin } from './builtins.js';
import { type GraphBuilder, callChainNotes } from './builder.js';
import { type BoundArgument, type Callee, bindArguments, coerce, formalsOfOp, signature } from './calls.js';
import { binary, comparesSize, unary } from './operators.js';
import { isUnresolved } from './resolve.js';
import { type Value, POISON, bool, describe, float, int, list, show, str, toAttr, typeName } from './values.js';
import { applyAnnotations, runBlock } from './statements.js';
import { type Evaluator as StatementEvaluator, type Frame, Scope } from './scope.js';
import { codes } from '../diagnostics/codes.js';

export type { Frame } from './scope.js';
export { Scope } from './scope.js';

/** The hint for a size that depends on the input where a number is needed. */
export const FIX_SIZE_HINT =
  'this size depends on the input; fix it in the input type (`f32[N, 224, 224, 3]`) or with `--input H,W`';

/** What to do about an argument of the wrong type. */
function coercionHint(value: Value, type: ParamType | 'any', callee: Callee): string {
  if (value.kind === 'size') return FIX_SIZE_HINT;
  if (value.kind === 'float' && (type === 'int' || type === 'int2' || type === 'int[]'))
    return 'write an int; `int(x)` rounds toward zero';
  const holdsTensor =
    value.kind === 'tensor' ||
    ((value.kind === 'list' || value.kind === 'tuple') && value.items.some((i) => i.kind === 'tensor'));
  if (holdsTensor && type !== 'tensor' && type !== 'tensors')
    return `a tensor goes first, or is piped in: \`x -> ${callee.name}(...)\``;
  return `the signature is ${signature(callee)}`;
}

export class Evaluator implements StatementEvaluator {
  /** Whether evaluation stopped at a name that does not resolve: the model then has no graph. */
  metUnresolved = false;

  constructor(
    readonly builder: GraphBuilder,
    readonly diagnostics: DiagnosticBag,
    readonly modules: ReadonlyMap<string, Module>,
  ) {}

  report(code: string, span: Span, message: string, hint: string | undefined, frame: Frame): void {
    this.diagnostics.error(code, span, message, hint, callChainNotes(frame.callChain));
  }

  evaluate(expression: ast.Expression, frame: Frame): Value {
    switch (expression.kind) {
      case 'NumberLiteral':
        return expression.isFloat ? float(expression.value) : int(expression.value);
      case 'StringLiteral':
        return str(expression.value);
      case 'BoolLiteral':
        return bool(expression.value);
      case 'Identifier':
        return this.identifier(expression, frame);
      case 'ParenExpr':
        return this.evaluate(expression.expression, frame);
      case 'ListExpr':
        return this.listExpr(expression, frame);
      case 'TupleExpr':
        return { kind: 'tuple', items: expression.elements.map((e) => this.evaluate(e, frame)) };
      case 'CallExpr':
        return this.call(expression.callee, expression.args, undefined, expression.span, [], frame);
      case 'PipelineExpr':
        return this.pipeline(expression, frame);
      case 'BinaryExpr':
        return this.binaryExpr(expression, frame);
      case 'UnaryExpr':
        return this.checked(
          unary(expression.operator, this.evaluate(expression.operand, frame)),
          expression.span,
          frame,
        );
      case 'ConditionalExpr':
        return this.conditional(expression, frame);
      case 'IndexExpr':
        return this.index(expression, frame);
      case 'AnnotatedExpr': {
        const first = this.builder.nodes.length;
        return applyAnnotations(
          this,
          this.evaluate(expression.expression, frame),
          expression.annotations,
          frame,
          first,
        );
      }
    }
  }

  /** A value or an error message from an operator; reports the message. */
  checked(result: Value | string, span: Span, frame: Frame): Value {
    if (typeof result !== 'string') return result;
    this.report(codes.evaluationFailed, span, result, undefined, frame);
    return POISON;
  }

  private identifier(identifier: ast.Identifier, frame: Frame): Value {
    return frame.scope.lookup(identifier.name) ?? this.unbound(identifier, frame);
  }

  /**
   * A reference with no value. Names are resolved once, by ir/resolve.ts, and the names-resolve
   * check reports those that do not resolve; elaboration only stops at them. A name that resolved
   * but has no value is one whose declaration failed, which was reported where it failed.
   */
  private unbound(reference: ast.Identifier, frame: Frame): Value {
    if (isUnresolved(frame.module, reference)) {
      this.metUnresolved = true;
      return POISON;
    }
    if (this.diagnostics.hasErrors) return POISON;
    const { line, column } = reference.span.start;
    throw new InternalError(
      `\`${reference.name}\` (${reference.span.file}:${line}:${column}) resolved but has no value`,
    );
  }

  private listExpr(expression: ast.ListExpr, frame: Frame): Value {
    const items: Value[] = [];
    for (const item of expression.items) {
      if (item.kind !== 'Comprehension') {
        items.push(this.evaluate(item, { ...frame, prefix: [...frame.prefix, String(items.length)] }));
        continue;
      }
      const iterable = this.evaluate(item.iterable, frame);
      if (iterable.kind === 'poison') return POISON;
      if (iterable.kind !== 'list' && iterable.kind !== 'tuple') {
        this.report(
          codes.comprehensionOverNonList,
          item.iterable.span,
          `a comprehension iterates over a list, got ${typeName(iterable)}`,
          'use `range(n)` to repeat n times',
          frame,
        );
        return POISON;
      }
      for (const element of iterable.items) {
        const scope = new Scope(frame.scope);
        scope.define(item.variable.name, element);
        const inner: Frame = { ...frame, scope, prefix: [...frame.prefix, String(items.length)] };
        if (item.condition && !this.condition(item.condition, inner)) continue;
        items.push(this.evaluate(item.body, inner));
      }
    }
    return list(items);
  }

  /** Evaluates a bool condition; a non-bool is reported and counts as false. */
  condition(expression: ast.Expression, frame: Frame): boolean {
    const value = this.evaluate(expression, frame);
    if (value.kind === 'bool') return value.value;
    if (value.kind !== 'poison')
      this.report(
        codes.conditionNotBool,
        expression.span,
        `a condition must be a bool, got ${typeName(value)}`,
        undefined,
        frame,
      );
    return false;
  }

  private binaryExpr(expression: ast.BinaryExpr, frame: Frame): Value {
    const left = this.evaluate(expression.left, frame);
    if (left.kind === 'bool' && (expression.operator === '&&' || expression.operator === '||')) {
      if (expression.operator === '&&' ? !left.value : left.value) return left;
    }
    const right = this.evaluate(expression.right, frame);
    if (left.kind === 'poison' || right.kind === 'poison') return POISON;
    if (left.kind === 'tensor' || right.kind === 'tensor') {
      this.report(
        codes.tensorArithmetic,
        expression.span,
        `\`${expression.operator}\` works on compile-time values, not tensors`,
        'combine tensors with `add(a, b)`, `mul(a, b)` or `max(a, b)`',
        frame,
      );
      return POISON;
    }
    if (comparesSize(expression.operator, left, right)) {
      this.report(
        codes.inputDependentComparison,
        expression.span,
        `cannot compare ${show(left)} with ${show(right)}: it depends on the input size`,
        FIX_SIZE_HINT,
        frame,
      );
      return POISON;
    }
    return this.checked(binary(expression.operator, left, right), expression.span, frame);
  }

  private conditional(expression: ast.ConditionalExpr, frame: Frame): Value {
    const condition = this.evaluate(expression.condition, frame);
    if (condition.kind === 'poison') return POISON;
    if (condition.kind !== 'bool') {
      this.report(
        codes.conditionNotBool,
        expression.condition.span,
        `a condition must be a bool, got ${typeName(condition)}`,
        undefined,
        frame,
      );
      return POISON;
    }
    return this.evaluate(condition.value ? expression.then : expression.otherwise, frame);
  }

  private index(expression: ast.IndexExpr, frame: Frame): Value {
    const target = this.evaluate(expression.target, frame);
    const index = this.evaluate(expression.index, frame);
    if (target.kind === 'poison' || index.kind === 'poison') return POISON;
    if ((target.kind !== 'list' && target.kind !== 'tuple') || index.kind !== 'int') {
      this.report(
        codes.indexingNonList,
        expression.span,
        `cannot index ${typeName(target)} with ${typeName(index)}`,
        'index a list with an int: `rates[0]`',
        frame,
      );
      return POISON;
    }
    const position = index.value < 0 ? target.items.length + index.value : index.value;
    const item = target.items[position];
    if (item) return item;
    this.report(
      codes.indexOutOfRange,
      expression.index.span,
      `index ${index.value} is out of range for a list of ${target.items.length}`,
      undefined,
      frame,
    );
    return POISON;
  }

  private pipeline(expression: ast.PipelineExpr, frame: Frame): Value {
    let value = this.evaluate(expression.head, frame);
    let span = expression.head.span;
    for (const stage of expression.stages) {
      value = this.stage(stage, value, span, frame);
      span = { file: span.file, start: span.start, end: stage.span.end };
    }
    return value;
  }

  stage(stage: ast.Stage, input: Value, inputSpan: Span, frame: Frame): Value {
    if (stage.kind === 'CallStage') {
      return this.call(
        stage.callee,
        stage.args ?? [],
        { value: input, span: inputSpan },
        stage.span,
        stage.annotations,
        frame,
      );
    }
    const count = this.evaluate(stage.count, frame);
    if (count.kind === 'poison') return POISON;
    if (count.kind !== 'int' || count.value < 0) {
      this.report(
        codes.badRepeatCount,
        stage.count.span,
        `repeat needs a count that is an int ≥ 0, got ${describe(count)}`,
        count.kind === 'float'
          ? 'write the count as an int: `int(...)` rounds toward zero'
          : 'the count says how many times the stages run: 0, 1, 2, ...',
        frame,
      );
      return POISON;
    }
    let value = input;
    const base = this.builder.uniqueName(frame.prefix, 'repeat').split('/').pop()!;
    for (let i = 0; i < count.value; i++) {
      const scope = new Scope(frame.scope);
      if (stage.variable) scope.define(stage.variable.name, int(i));
      const inner: Frame = { ...frame, scope, prefix: [...frame.prefix, base, String(i)] };
      for (const s of stage.stages) value = this.stage(s, value, inputSpan, inner);
    }
    return applyAnnotations(this, value, stage.annotations, frame);
  }

  /** A call by name: a block, an operation, or a compile-time builtin. */
  call(
    callee: ast.Identifier,
    args: readonly ast.Argument[],
    piped: { value: Value; span: Span } | undefined,
    span: Span,
    annotations: readonly ast.Annotation[],
    frame: Frame,
  ): Value {
    const name = callee.name;
    // A call whose callee or argument names did not resolve is not elaborated: the check reported it.
    const unresolved = (reference: ast.Identifier | undefined) =>
      reference !== undefined && isUnresolved(frame.module, reference);
    if (unresolved(callee) || args.some((a) => unresolved(a.name))) {
      this.metUnresolved = true;
      return POISON;
    }
    const declaration = frame.module.scope.get(name);
    if (declaration) return runBlock(this, declaration, args, piped, span, annotations, frame);
    const op = findOp(name);
    const builtin = findBuiltin(name);
    if (op && !(builtin && !piped && !this.firstArgumentIsTensor(args, frame))) {
      return applyAnnotations(this, this.opCall(op, args, piped, span, annotations, frame), annotations, frame);
    }
    if (builtin) return this.builtinCall(builtin.name, args, piped, span, frame);
    return this.unbound(callee, frame);
  }

  /** Whether a call's first argument is a tensor, judged without evaluating it (no side effects). */
  private firstArgumentIsTensor(args: readonly ast.Argument[], frame: Frame): boolean {
    const first = args.find((a) => !a.name);
    return first !== undefined && this.looksLikeTensor(first.value, frame);
  }

  private looksLikeTensor(expression: ast.Expression, frame: Frame): boolean {
    switch (expression.kind) {
      case 'Identifier':
        return frame.scope.lookup(expression.name)?.kind === 'tensor';
      case 'ListExpr':
        return expression.items.some((i) => i.kind !== 'Comprehension' && this.looksLikeTensor(i, frame));
      case 'CallExpr':
        return !findBuiltin(expression.callee.name);
      case 'PipelineExpr':
      case 'AnnotatedExpr':
        return true;
      case 'ParenExpr':
        return this.looksLikeTensor(expression.expression, frame);
      default:
        return false;
    }
  }

  private builtinCall(
    name: string,
    args: readonly ast.Argument[],
    piped: { value: Value } | undefined,
    span: Span,
    frame: Frame,
  ): Value {
    const named = args.find((a) => a.name);
    if (named) {
      this.report(
        codes.unknownArgument,
        named.name!.span,
        `\`${name}\` takes no named arguments`,
        findBuiltin(name)!.signature,
        frame,
      );
      return POISON;
    }
    const values = [...(piped ? [piped.value] : []), ...args.map((a) => this.evaluate(a.value, frame))];
    if (values.some((v) => v.kind === 'poison')) return POISON;
    return this.checked(
      findBuiltin(name)!.apply(values, { typeOf: (node) => this.builder.type(node), sizes: this.builder.sizes }),
      span,
      frame,
    );
  }

  /** Evaluates an argument; a bare unbound name stands for an enum member when the type is an enum. */
  argument(expression: ast.Expression, type: ParamType | 'any', frame: Frame): Value {
    if (expression.kind === 'Identifier' && typeof type === 'object' && !frame.scope.lookup(expression.name))
      return str(expression.name);
    return this.evaluate(expression, frame);
  }

  bind(
    callee: Callee,
    args: readonly ast.Argument[],
    piped: { value: Value; span: Span } | undefined,
    span: Span,
    frame: Frame,
  ): Map<string, BoundArgument> | undefined {
    const report = (code: string, at: Span, message: string, hint?: string) =>
      this.report(code, at, message, hint, frame);
    const bound = bindArguments(callee, piped, args, span, (e, t) => this.argument(e, t, frame), report);
    if (!bound) return undefined;
    let ok = true;
    for (const formal of callee.formals) {
      const argument = bound.get(formal.name);
      if (!argument) continue;
      const result = coerce(argument.value, formal.type);
      if (typeof result === 'string') {
        this.report(
          codes.wrongArgumentType,
          argument.span,
          `the argument \`${formal.name}\` of \`${callee.name}\`: ${result}`,
          coercionHint(argument.value, formal.type, callee),
          frame,
        );
        ok = false;
      } else bound.set(formal.name, { ...argument, value: result });
    }
    return ok ? bound : undefined;
  }

  private opCall(
    op: OpDef,
    args: readonly ast.Argument[],
    piped: { value: Value; span: Span } | undefined,
    span: Span,
    annotations: readonly ast.Annotation[],
    frame: Frame,
  ): Value {
    const callee = {
      name: op.name,
      kind: 'operation' as const,
      formals: formalsOfOp(op.params),
      ...(op.positionalHint ? { positionalHint: op.positionalHint } : {}),
    };
    const bound = this.bind(callee, args, piped, span, frame);
    if (!bound) return POISON;
    const inputs: number[] = [];
    const attrs: Record<string, ReturnType<typeof toAttr>> = {};
    const argumentSpans = new Map<string, Span>();
    for (const [index, param] of op.params.entries()) {
      const argument = bound.get(param.name);
      // A problem with the piped-in value is shown at the stage that receives it.
      if (argument) argumentSpans.set(param.name, piped && index === 0 ? span : argument.span);
      const value = argument?.value;
      if (value?.kind === 'poison' || (value?.kind === 'list' && value.items.some((i) => i.kind === 'poison')))
        return POISON;
      if (param.type === 'tensor') {
        if (value?.kind === 'tensor') inputs.push(value.node);
      } else if (param.type === 'tensors') {
        if (value?.kind === 'list') inputs.push(...value.items.map((i) => (i as { node: number }).node));
      } else attrs[param.name] = value ? toAttr(value) : (param.default ?? null);
    }
    const invalid = op.validate?.(attrs as never);
    if (invalid) {
      this.report(codes.attributeOutOfRange, span, `${op.name}: ${invalid}`, undefined, frame);
      return POISON;
    }
    const pinned = annotations.find((a) => a.name.name === 'name')?.args[0]?.value;
    const segment = pinned?.kind === 'StringLiteral' ? pinned.value : op.name;
    const node = this.builder.addOp(op, inputs, attrs as never, frame.prefix, segment, {
      span,
      callChain: frame.callChain,
      argumentSpans,
    });
    return node === undefined ? POISON : { kind: 'tensor', node };
  }
}
