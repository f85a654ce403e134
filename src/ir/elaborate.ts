/**
 * AST → IR for one model: model parameters are bound (defaults or overrides), inputs declare
 * their size symbols and `where` constraints, blocks are expanded, and every op's shape rule runs
 * as its node is created.
 */
import { readPreprocessing } from './preprocessing-declaration.js';
import { DiagnosticBag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { LoadedProgram, Module } from '../program/modules.js';
import type * as ast from '../parser/ast.js';
import type { DType } from '../ops/op.js';
import { GraphBuilder } from './builder.js';
import { coerce, formalsOfBlock } from './calls.js';
import { Evaluator } from './evaluate.js';
import type { Graph } from './graph.js';
import { type Frame, Scope } from './scope.js';
import { type SizeConstraint, SizeSpace } from '../shapes/sizes.js';
import { checkSatisfiable, lintChannelsFirst } from './input-checks.js';
import { runLet } from './statements.js';
import { type Dim, dim, sym } from '../shapes/symbolic.js';
import { type Value, POISON, describe, int, toAttr, typeName } from './values.js';
import type { AttrValue } from '../ops/op.js';
import { MAX_SIZE } from '../limits.js';
import { codes } from '../diagnostics/codes.js';

export interface ElaborateOptions {
  /** Overrides of model parameters: `{ classes: 4 }`. */
  readonly params?: Readonly<Record<string, Value>>;
  /** Fixed sizes for symbols: `{ H: 513, W: 513 }`. */
  readonly sizes?: Readonly<Record<string, number>>;
  /** Rows and columns of the first 4-D input (the CLI's `--input H,W`), fixing its size symbols. */
  readonly inputSize?: readonly [number, number];
}

export interface ElaborateResult {
  readonly graph?: Graph;
  readonly sizes: SizeSpace;
  readonly diagnostics: readonly Diagnostic[];
}

const DTYPES: Readonly<Record<string, DType>> = { f32: 'f32', i32: 'i32' };

export function elaborateModel(
  program: LoadedProgram,
  module: Module,
  model: ast.ModelDecl,
  options: ElaborateOptions = {},
): ElaborateResult {
  const bag = new DiagnosticBag();
  const frame: Frame = { module, scope: new Scope(), prefix: [], callChain: [] };
  const setup = new Evaluator(new GraphBuilder(new SizeSpace([]), bag), bag, program.modules);
  bindModelParams(setup, model, options, frame);
  const inputs = model.body.filter((s): s is ast.InputStmt => s.kind === 'InputStmt');
  const declared = declareInputs(setup, inputs, frame);
  const fixed = new Map([
    ...inputSizeSymbols(declared.inputs, options.inputSize),
    ...Object.entries(options.sizes ?? {}),
  ]);
  const sizes = new SizeSpace(declared.symbols, declared.constraints, fixed);
  checkFixedSizes(bag, sizes, model);
  for (const input of declared.inputs) lintChannelsFirst(bag, input.statement, input.shape, module.source);
  // With no size to check the body against, every shape would hold vacuously: stop here.
  if (!checkSatisfiable(bag, sizes, model.name.span)) return { sizes, diagnostics: bag.all };
  const builder = new GraphBuilder(sizes, bag);
  const evaluator = new Evaluator(builder, bag, program.modules);
  for (const input of declared.inputs) {
    const node = builder.addInput(
      input.statement.name.name,
      { dtype: input.dtype, shape: input.shape },
      { span: input.statement.span, callChain: [] },
      readPreprocessing(setup, input.statement, input.shape[3], frame),
    );
    frame.scope.define(input.statement.name.name, { kind: 'tensor', node });
  }
  runModelBody(evaluator, model, frame);
  builder.reportTooSmall();
  const graph =
    bag.hasErrors || setup.metUnresolved || evaluator.metUnresolved || builder.outputs.length === 0
      ? undefined
      : builder.finish(model.name.name, model.doc, modelParams(model, frame));
  return { ...(graph ? { graph } : {}), sizes, diagnostics: bag.all };
}

function bindModelParams(evaluator: Evaluator, model: ast.ModelDecl, options: ElaborateOptions, frame: Frame): void {
  const formals = formalsOfBlock(model.params);
  for (const [name] of Object.entries(options.params ?? {})) {
    if (!formals.some((f) => f.name === name)) {
      evaluator.diagnostics.error(
        codes.unknownModelParameter,
        model.name.span,
        `model \`${model.name.name}\` has no parameter \`${name}\``,
        `its parameters: ${formals.map((f) => f.name).join(', ') || 'none'}`,
      );
    }
  }
  model.params.forEach((param, i) => {
    const override = options.params?.[param.name.name];
    const type = formals[i]!.type;
    if (!override && !param.default) {
      evaluator.report(
        codes.missingModelParameter,
        param.span,
        `model parameter \`${param.name.name}\` has no default`,
        `give it a default, or pass --param ${param.name.name}=VALUE`,
        frame,
      );
      frame.scope.define(param.name.name, POISON);
      return;
    }
    const value = override ?? evaluator.argument(param.default!, type, frame);
    const result = coerce(value, type);
    if (typeof result === 'string') {
      evaluator.report(
        codes.wrongArgumentType,
        override ? param.span : param.default!.span,
        `model parameter \`${param.name.name}\`: ${result}`,
        undefined,
        frame,
      );
    }
    frame.scope.define(param.name.name, typeof result === 'string' ? POISON : result);
  });
}

interface DeclaredInput {
  readonly statement: ast.InputStmt;
  readonly dtype: DType;
  readonly shape: Dim[];
}

function declareInputs(evaluator: Evaluator, inputs: readonly ast.InputStmt[], frame: Frame) {
  const symbols: string[] = [];
  const constraints: SizeConstraint[] = [];
  const declared: DeclaredInput[] = [];
  for (const statement of inputs) {
    const dtype = DTYPES[statement.type.dtype.name];
    if (!dtype) {
      evaluator.report(
        codes.unknownElementType,
        statement.type.dtype.span,
        `unknown element type \`${statement.type.dtype.name}\``,
        'use `f32` (images, features) or `i32` (labels)',
        frame,
      );
    }
    const shape = statement.type.dims.map((d) => inputDim(evaluator, d, symbols, frame));
    declared.push({ statement, dtype: dtype ?? 'f32', shape });
    for (const constraint of statement.constraints) {
      const compiled = compileConstraint(evaluator, constraint, symbols, frame);
      if (compiled) constraints.push(compiled);
    }
  }
  return { symbols, constraints, inputs: declared };
}

/** A dim is a size symbol (an unbound name) or a compile-time int ≥ 1. */
function inputDim(evaluator: Evaluator, expression: ast.Expression, symbols: string[], frame: Frame): Dim {
  if (expression.kind === 'Identifier' && !frame.scope.lookup(expression.name)) {
    if (!symbols.includes(expression.name)) symbols.push(expression.name);
    return sym(expression.name);
  }
  const value = evaluator.evaluate(expression, frame);
  if (value.kind === 'int' && value.value >= 1 && value.value <= MAX_SIZE) return dim(value.value);
  if (value.kind === 'int' && value.value > MAX_SIZE) {
    evaluator.report(
      codes.badInputSize,
      expression.span,
      `a tensor size is at most ${MAX_SIZE}, got ${value.value}`,
      'see docs/limits.md',
      frame,
    );
    return dim(1);
  }
  if (value.kind !== 'poison') {
    const hint =
      value.kind === 'int'
        ? 'a tensor has at least one element along each axis'
        : 'write a number (`224`) or a size symbol (`H`)';
    evaluator.report(
      codes.badInputSize,
      expression.span,
      `a tensor size must be an int ≥ 1 or a size symbol, got ${describe(value)}`,
      hint,
      frame,
    );
  }
  return dim(1);
}

/**
 * A `where` constraint, evaluated once with every symbol at 16 to report its mistakes, then as a
 * silent predicate over sizes.
 */
function compileConstraint(
  evaluator: Evaluator,
  expression: ast.Expression,
  symbols: readonly string[],
  frame: Frame,
): SizeConstraint | undefined {
  const mentioned = symbols.filter((s) => mentions(expression, s));
  const trial = withSymbols(frame, new Map(mentioned.map((s) => [s, 16])));
  const value = evaluator.evaluate(expression, trial);
  if (value.kind === 'poison') return undefined;
  if (value.kind !== 'bool') {
    evaluator.report(
      codes.constraintNotCondition,
      expression.span,
      `a \`where\` constraint must be a condition, got ${typeName(value)}`,
      'for example `H % 16 == 0` or `H >= 64`',
      frame,
    );
    return undefined;
  }
  if (mentioned.length === 0) {
    evaluator.report(
      codes.constraintWithoutSymbol,
      expression.span,
      'this constraint mentions no size symbol of the input',
      'constraints restrict the symbols in the input type, like `H` in `f32[N, H, W, 3]`',
      frame,
    );
    return undefined;
  }
  const silent = new Evaluator(evaluator.builder, new DiagnosticBag(), evaluator.modules);
  return {
    text: frame.module.source.slice(expression.span.start.offset, expression.span.end.offset),
    span: expression.span,
    symbols: mentioned,
    holds: (env) => {
      const result = silent.evaluate(expression, withSymbols(frame, env));
      return result.kind === 'bool' && result.value;
    },
  };
}

function withSymbols(frame: Frame, env: ReadonlyMap<string, number>): Frame {
  const scope = new Scope(frame.scope);
  for (const [name, value] of env) scope.define(name, int(value));
  return { ...frame, scope };
}

function mentions(expression: ast.Node, name: string): boolean {
  if (expression.kind === 'Identifier') return (expression as ast.Identifier).name === name;
  return Object.values(expression).some((child) =>
    Array.isArray(child)
      ? child.some((c) => isNode(c) && mentions(c, name))
      : isNode(child) && child.kind !== undefined && mentions(child, name),
  );
}

function isNode(value: unknown): value is ast.Node {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    'span' in value &&
    (value as { kind: unknown }).kind !== 'Comment'
  );
}

function runModelBody(evaluator: Evaluator, model: ast.ModelDecl, frame: Frame): void {
  for (const statement of model.body) {
    if (statement.kind === 'LetStmt') runLet(evaluator, statement, frame);
    else if (statement.kind === 'OutputStmt') {
      const value = evaluator.evaluate(statement.value, { ...frame, prefix: [statement.name.name] });
      // Later statements may read an output by name (`output mask = argmax(logits)`).
      frame.scope.define(statement.name.name, value);
      if (value.kind === 'tensor') {
        evaluator.builder.bind(value.node, statement.name.name);
        evaluator.builder.addOutput(statement.name.name, value.node, statement.span);
      } else if (value.kind !== 'poison') {
        evaluator.report(
          codes.outputNotTensor,
          statement.value.span,
          `an output must be a tensor, got ${typeName(value)}`,
          undefined,
          frame,
        );
      }
    }
  }
}

function modelParams(model: ast.ModelDecl, frame: Frame): Record<string, AttrValue> {
  const params: Record<string, AttrValue> = {};
  for (const param of model.params) {
    const value = frame.scope.lookup(param.name.name);
    const attr = value ? toAttr(value) : undefined;
    if (attr !== undefined) params[param.name.name] = attr;
  }
  return params;
}

/** Maps `--input H,W` onto the symbols of the first 4-D input's rows and columns. */
function inputSizeSymbols(
  inputs: readonly DeclaredInput[],
  size: readonly [number, number] | undefined,
): [string, number][] {
  const image = inputs.find((i) => i.shape.length === 4);
  if (!size || !image) return [];
  return [image.shape[1]!, image.shape[2]!].flatMap((d, i) =>
    d.kind === 'sym' ? [[d.name, size[i]!] as [string, number]] : [],
  );
}

/** Sizes fixed from outside (`--input 513,513`) must satisfy the model's `where` clauses. */
function checkFixedSizes(bag: DiagnosticBag, sizes: SizeSpace, model: ast.ModelDecl): void {
  for (const constraint of sizes.constraints) {
    if (!constraint.symbols.every((s) => sizes.fixed.has(s)) || constraint.holds(sizes.fixed)) continue;
    const values = constraint.symbols.map((s) => `${s} = ${sizes.fixed.get(s)}`).join(', ');
    bag.error(
      codes.fixedSizeBreaksConstraint,
      model.name.span,
      `the input size ${values} breaks \`${constraint.text}\` of model \`${model.name.name}\``,
      'choose a size the model accepts',
    );
  }
}
