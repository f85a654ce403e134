/**
 * Block expansion and statements: a block call binds its parameters (defaults evaluated in the
 * block's own file, seeing earlier parameters), runs its `let`s and returns its value; every node
 * created inside records the call site.
 */
import type { Span } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { DeclarationRef } from '../program/modules.js';
import type * as ast from '../parser/ast.js';
import { coerce, formalsOfBlock } from './calls.js';
import { type Evaluator, type Frame, Scope } from './scope.js';
import { type Value, POISON, typeName } from './values.js';
import { codes } from '../diagnostics/codes.js';

const MAX_BLOCK_DEPTH = 64;

export const ANNOTATIONS: Readonly<Record<string, string>> = {
  classmap: 'a class confidence map: one channel per class (CAM, ACoL)',
  gradcam: 'the Grad-CAM target layer, overriding the derived one',
  frozen: 'weights created here are not trained',
  name: 'pins the weight-name segment: @name("head")',
};

/** Lower snake case of a block name, for weight paths: `ASPP` → `aspp`, `BasicBlock` → `basic_block`. */
export function segmentOf(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

export function runBlock(
  evaluator: Evaluator,
  reference: DeclarationRef,
  args: readonly ast.Argument[],
  piped: { value: Value; span: Span } | undefined,
  span: Span,
  annotations: readonly ast.Annotation[],
  frame: Frame,
): Value {
  const declaration = reference.declaration;
  const name = declaration.name.name;
  if (declaration.kind === 'ModelDecl') {
    evaluator.report(
      codes.modelCalled,
      span,
      `\`${name}\` is a model; only blocks can be called`,
      'turn the shared part into a `block` that both models call',
      frame,
    );
    return POISON;
  }
  if (frame.callChain.length >= MAX_BLOCK_DEPTH) {
    reportRunaway(evaluator, name, span, frame);
    return POISON;
  }
  const module = evaluator.modules.get(reference.module)!;
  const formals = formalsOfBlock(declaration.params);
  const bound = evaluator.bind({ name, kind: 'block', formals }, args, piped, span, frame);
  if (!bound) return POISON;
  const scope = new Scope();
  const pinned = annotations.find((a) => a.name.name === 'name')?.args[0]?.value;
  const segment = pinned?.kind === 'StringLiteral' ? pinned.value : segmentOf(name);
  const inner: Frame = {
    module,
    scope,
    prefix: [...frame.prefix, evaluator.builder.uniqueName(frame.prefix, segment).split('/').pop()!],
    callChain: [...frame.callChain, { block: name, span }],
  };
  for (const [index, param] of declaration.params.entries()) {
    const given = bound.get(param.name.name);
    if (given) scope.define(param.name.name, given.value);
    else scope.define(param.name.name, defaultValue(evaluator, param, formals[index]!.type, inner));
  }
  const first = evaluator.builder.nodes.length;
  const result = runBody(evaluator, declaration, inner);
  return applyAnnotations(evaluator, result, annotations, frame, first);
}

/**
 * Calls nested too deeply: shows the cycle of blocks that repeats (`A → B → A`) once, with its
 * call sites, rather than the whole chain of calls.
 */
function reportRunaway(evaluator: Evaluator, name: string, span: Span, frame: Frame): void {
  const chain = frame.callChain;
  const start = chain.map((site) => site.block).lastIndexOf(name);
  const hint = `a recursive block must stop: make the call depend on a parameter that shrinks, as in \`depth > 0 ? (x -> ${name}(depth - 1)) : x\``;
  if (start < 0) {
    evaluator.diagnostics.error(
      codes.endlessRecursion,
      span,
      `blocks nest deeper than ${MAX_BLOCK_DEPTH} calls`,
      hint,
      [{ span: chain[0]!.span, message: 'the outermost call' }],
    );
    return;
  }
  const cycle = [...chain.slice(start).map((site) => site.block), name];
  const related = chain
    .slice(start + 1)
    .map((site) => ({ span: site.span, message: `\`${site.block}\` is called here` }));
  const first = chain.findIndex((site) => site.block === name);
  related.unshift({ span: chain[first]!.span, message: `the first call of \`${name}\`` });
  const message = `\`${name}\` calls itself without end: ${cycle.join(' → ')} (${MAX_BLOCK_DEPTH} calls deep)`;
  evaluator.diagnostics.error(codes.endlessRecursion, span, message, hint, related);
}

function defaultValue(evaluator: Evaluator, param: ast.Param, type: Parameters<typeof coerce>[1], frame: Frame): Value {
  const value = evaluator.argument(param.default!, type, frame);
  const result = coerce(value, type);
  if (typeof result !== 'string') return result;
  evaluator.report(
    codes.wrongArgumentType,
    param.default!.span,
    `the default of \`${param.name.name}\`: ${result}`,
    undefined,
    frame,
  );
  return POISON;
}

function runBody(evaluator: Evaluator, declaration: ast.BlockDecl, frame: Frame): Value {
  for (const statement of declaration.body) {
    if (statement.kind === 'LetStmt') runLet(evaluator, statement, frame);
    else if (statement.kind === 'ReturnStmt') return evaluator.evaluate(statement.value, frame);
  }
  // A block without `return` is reported by the static checks; its value is unusable.
  return POISON;
}

/** `let x = e` binds x; `let (a, b) = e` takes apart a tuple. Tensors remember the binding name. */
export function runLet(evaluator: Evaluator, statement: ast.LetStmt, frame: Frame): void {
  const names = statement.names;
  const prefix = statement.destructure ? frame.prefix : [...frame.prefix, names[0]!.name];
  const value = evaluator.evaluate(statement.value, { ...frame, prefix });
  if (!statement.destructure) {
    define(evaluator, names[0]!, value, frame);
    return;
  }
  const items = value.kind === 'tuple' || value.kind === 'list' ? value.items : undefined;
  if (value.kind !== 'poison' && (!items || items.length !== names.length)) {
    const found = items ? `${items.length} values` : typeName(value);
    evaluator.report(
      codes.destructuringCount,
      statement.span,
      `\`let (${names.map((n) => n.name).join(', ')})\` needs ${names.length} values, got ${found}`,
      undefined,
      frame,
    );
  }
  names.forEach((name, i) => define(evaluator, name, items?.[i] ?? POISON, frame));
}

function define(evaluator: Evaluator, name: ast.Identifier, value: Value, frame: Frame): void {
  frame.scope.define(name.name, value);
  if (value.kind === 'tensor') evaluator.builder.bind(value.node, name.name);
}

/**
 * Applies `@classmap`, `@gradcam`, `@frozen` and `@name` to the tensors of `value`. `@frozen`
 * freezes every node created since `firstNode` (a whole block expansion); the others mark the
 * resulting tensor.
 */
export function applyAnnotations(
  evaluator: Evaluator,
  value: Value,
  annotations: readonly ast.Annotation[],
  frame: Frame,
  firstNode?: number,
): Value {
  for (const annotation of annotations) {
    const name = annotation.name.name;
    if (!(name in ANNOTATIONS)) {
      const hint =
        didYouMean(name, Object.keys(ANNOTATIONS)) ??
        `known annotations: ${Object.keys(ANNOTATIONS)
          .map((a) => `@${a}`)
          .join(', ')}`;
      evaluator.report(codes.unknownAnnotation, annotation.name.span, `unknown annotation \`@${name}\``, hint, frame);
      continue;
    }
    if (name === 'name') continue;
    const args = annotation.args.map((a) => literal(a.value)).filter((a) => a !== undefined);
    const tensors = tensorsOf(value);
    const targets =
      name === 'frozen' && firstNode !== undefined ? range(firstNode, evaluator.builder.nodes.length) : tensors;
    for (const node of targets) evaluator.builder.annotate(node, { name, args });
  }
  return value;
}

function tensorsOf(value: Value): number[] {
  if (value.kind === 'tensor') return [value.node];
  if (value.kind === 'list' || value.kind === 'tuple') return value.items.flatMap(tensorsOf);
  return [];
}

function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}

function literal(expression: ast.Expression): number | string | boolean | undefined {
  if (expression.kind === 'NumberLiteral' || expression.kind === 'StringLiteral' || expression.kind === 'BoolLiteral')
    return expression.value;
  return undefined;
}
