/**
 * Name resolution over one file, the only one in segc: walks every declaration with lexical scopes
 * (parameters, inputs and their size symbols, `let`s in order, comprehension and repeat variables)
 * and records each binding, what each reference resolves to, and each name or argument that does
 * not resolve. Computed once per module; the checks report its problems (check/rules/names-resolve.ts)
 * and the elaborator reads its table, so it never evaluates a name that failed to resolve.
 */
import type { Span } from '../diagnostics/diagnostic.js';
import type { Module } from '../program/modules.js';
import type * as ast from '../parser/ast.js';
import { findBuiltin } from './builtins.js';
import { findOp } from '../ops/registry.js';
import type { ParamType } from '../ops/op.js';
import { codes } from '../diagnostics/codes.js';

export interface Binding {
  readonly name: string;
  readonly span: Span;
  readonly kind: 'parameter' | 'let' | 'input' | 'output' | 'symbol' | 'variable';
  readonly declaration: string;
  uses: number;
}

export interface Problem {
  readonly code: string;
  readonly span: Span;
  readonly message: string;
  readonly hint?: string;
  /** For unknown names: the name, and the candidates a suggestion may pick from. */
  readonly subject?: string;
  readonly candidates?: readonly string[];
}

/** What a reference (a name used as a value, a callee, or an argument's name) resolves to. */
export type Reference =
  | { readonly kind: 'binding'; readonly binding: Binding }
  | { readonly kind: 'block' | 'operation' | 'builtin' | 'parameter' }
  | { readonly kind: 'unresolved'; readonly problem: Problem };

export interface Resolution {
  readonly bindings: readonly Binding[];
  readonly problems: readonly Problem[];
  /**
   * The resolution table, keyed by the AST node of each reference. A bare name given where an enum
   * value is expected (`mode: bilinear`) and bound to nothing is a value, not a reference: it has
   * no entry.
   */
  readonly references: ReadonlyMap<ast.Identifier, Reference>;
}

/** Whether a reference failed to resolve (and its problem is reported by the names-resolve check). */
export function isUnresolved(module: Module, reference: ast.Identifier): boolean {
  return resolveModule(module).references.get(reference)?.kind === 'unresolved';
}

const cache = new WeakMap<Module, Resolution>();

export function resolveModule(module: Module): Resolution {
  let resolution = cache.get(module);
  if (!resolution) {
    const walker = new Walker(module);
    for (const declaration of module.program.declarations) walker.declaration(declaration);
    resolution = { bindings: walker.bindings, problems: walker.problems, references: walker.references };
    cache.set(module, resolution);
  }
  return resolution;
}

class Scope {
  readonly names = new Map<string, Binding>();
  constructor(readonly parent?: Scope) {}
  lookup(name: string): Binding | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
  all(): string[] {
    return [...this.names.keys(), ...(this.parent?.all() ?? [])];
  }
}

/** The parameter names and types of a callee, for checking named arguments. */
interface CalleeShape {
  readonly kind: 'operation' | 'block' | 'builtin';
  readonly params: readonly { name: string; type?: ParamType; default?: unknown; named?: boolean }[];
}

/** Optional tensor arguments after the first are named only (see bindArguments). */
function isNamedOnly(param: { type?: ParamType; default?: unknown; named?: boolean } | undefined): boolean {
  return (param?.type === 'tensor' && param.default === null) || param?.named === true;
}

class Walker {
  readonly bindings: Binding[] = [];
  readonly problems: Problem[] = [];
  readonly references = new Map<ast.Identifier, Reference>();
  private declarationName = '';
  private laterLets = new Map<string, number>();
  /** The size symbols of the declaration's inputs: a name in its body may not take theirs. */
  private sizeSymbols: ReadonlyMap<string, Binding> = new Map();

  constructor(private readonly module: Module) {}

  declaration(declaration: ast.Declaration): void {
    this.declarationName = declaration.name.name;
    const scope = new Scope();
    const sizes = new Scope(scope);
    this.sizeSymbols = sizes.names;
    this.laterLets = new Map();
    for (const statement of declaration.body) {
      if (statement.kind === 'LetStmt')
        for (const n of statement.names) if (!this.laterLets.has(n.name)) this.laterLets.set(n.name, n.span.start.line);
    }
    for (const param of declaration.params) {
      if (param.default) this.expression(param.default, scope);
      this.define(scope, param.name, 'parameter');
    }
    // Input types are elaborated before the body runs (ir/elaborate.ts): their sizes and `where`
    // constraints see the parameters and the size symbols, and the symbols are not values in the body.
    for (const statement of declaration.body) if (statement.kind === 'InputStmt') this.inputType(statement, sizes);
    for (const statement of declaration.body) this.statement(statement, scope);
  }

  private inputType({ type, annotations, constraints }: ast.InputStmt, scope: Scope): void {
    for (const d of type.dims) {
      if (d.kind === 'Identifier' && !scope.lookup(d.name)) this.define(scope, d, 'symbol');
      else this.expression(d, scope);
    }
    // `@preprocess(mean: m)` is evaluated with the dims: it sees the parameters only.
    for (const annotation of annotations)
      for (const argument of annotation.args) this.expression(argument.value, scope);
    for (const c of constraints) this.expression(c, scope);
  }

  /** Records a problem; with a reference, the reference is unresolved. */
  private problem(problem: Problem, reference?: ast.Identifier): void {
    this.problems.push(problem);
    if (reference) this.references.set(reference, { kind: 'unresolved', problem });
  }

  private define(scope: Scope, name: ast.Identifier, kind: Binding['kind']): void {
    const symbol = kind !== 'symbol' && !scope.parent ? this.sizeSymbols.get(name.name) : undefined;
    const shadowed = symbol && symbol.span.start.offset < name.span.start.offset ? symbol : undefined;
    const existing = scope.names.get(name.name) ?? shadowed;
    if (existing && kind !== 'symbol') {
      this.problem({
        code: codes.duplicateBinding,
        span: name.span,
        message: `\`${name.name}\` is already defined (line ${existing.span.start.line})`,
        hint: 'choose another name',
      });
    }
    const binding: Binding = { name: name.name, span: name.span, kind, declaration: this.declarationName, uses: 0 };
    scope.names.set(name.name, binding);
    this.bindings.push(binding);
  }

  private statement(statement: ast.Statement, scope: Scope): void {
    switch (statement.kind) {
      case 'LetStmt':
        this.expression(statement.value, scope);
        for (const name of statement.names) this.define(scope, name, 'let');
        return;
      case 'InputStmt':
        this.define(scope, statement.name, 'input');
        return;
      case 'OutputStmt':
        this.expression(statement.value, scope);
        // `output logits = logits` re-exports a let; otherwise the output becomes a name.
        if (!scope.lookup(statement.name.name)) this.define(scope, statement.name, 'output');
        return;
      case 'ReturnStmt':
        this.expression(statement.value, scope);
    }
  }

  expression(expression: ast.Expression, scope: Scope, enumContext = false): void {
    switch (expression.kind) {
      case 'Identifier':
        return this.use(expression, scope, enumContext);
      case 'ListExpr':
        for (const item of expression.items) {
          if (item.kind !== 'Comprehension') this.expression(item, scope);
          else this.comprehension(item, scope);
        }
        return;
      case 'TupleExpr':
        return expression.elements.forEach((e) => this.expression(e, scope));
      case 'CallExpr':
        return this.call(expression.callee, expression.args, false, scope);
      case 'PipelineExpr':
        this.expression(expression.head, scope);
        return expression.stages.forEach((s) => this.stage(s, scope));
      case 'BinaryExpr':
        this.expression(expression.left, scope);
        return this.expression(expression.right, scope);
      case 'UnaryExpr':
        return this.expression(expression.operand, scope);
      case 'ConditionalExpr':
        this.expression(expression.condition, scope);
        this.expression(expression.then, scope);
        return this.expression(expression.otherwise, scope);
      case 'IndexExpr':
        this.expression(expression.target, scope);
        return this.expression(expression.index, scope);
      case 'AnnotatedExpr':
      case 'ParenExpr':
        return this.expression(expression.expression, scope, enumContext);
      default:
        return;
    }
  }

  private comprehension(item: ast.Comprehension, scope: Scope): void {
    this.expression(item.iterable, scope);
    const inner = new Scope(scope);
    this.define(inner, item.variable, 'variable');
    if (item.condition) this.expression(item.condition, inner);
    this.expression(item.body, inner);
  }

  private stage(stage: ast.Stage, scope: Scope): void {
    if (stage.kind === 'CallStage') return this.call(stage.callee, stage.args ?? [], true, scope);
    this.expression(stage.count, scope);
    const inner = new Scope(scope);
    if (stage.variable) this.define(inner, stage.variable, 'variable');
    for (const s of stage.stages) this.stage(s, inner);
  }

  private use(identifier: ast.Identifier, scope: Scope, enumContext: boolean): void {
    const binding = scope.lookup(identifier.name);
    if (binding) {
      binding.uses++;
      this.references.set(identifier, { kind: 'binding', binding });
      return;
    }
    if (enumContext) return;
    const name = identifier.name;
    if (this.module.scope.has(name) || findOp(name)) {
      this.problem(
        {
          code: codes.calleeAsValue,
          span: identifier.span,
          message: `\`${name}\` is ${this.module.scope.has(name) ? 'a block' : 'an operation'}, not a value`,
          hint: `call it: \`${name}(...)\`, or use it as a pipeline stage: \`x -> ${name}\``,
        },
        identifier,
      );
      return;
    }
    const later = this.laterLets.get(name);
    if (later !== undefined && later >= identifier.span.start.line) {
      this.problem(
        {
          code: codes.usedBeforeLet,
          span: identifier.span,
          message: `\`${name}\` is used before it is defined (line ${later})`,
          hint: 'move the `let` above its first use',
        },
        identifier,
      );
      return;
    }
    this.problem(
      {
        code: codes.unknownName,
        span: identifier.span,
        message: `unknown name \`${name}\``,
        hint: 'define it with `let` or declare it as a parameter',
        subject: name,
        candidates: scope.all(),
      },
      identifier,
    );
  }

  private call(callee: ast.Identifier, args: readonly ast.Argument[], piped: boolean, scope: Scope): void {
    const local = scope.lookup(callee.name);
    if (local) {
      local.uses++;
      this.problem(
        {
          code: codes.valueCalled,
          span: callee.span,
          message: `\`${callee.name}\` is a value, not a block or operation`,
          hint: 'rename the binding so it does not hide the callable',
        },
        callee,
      );
    }
    const shape = local ? undefined : this.callee(callee.name);
    if (shape) this.references.set(callee, { kind: shape.kind });
    else if (!local) {
      this.problem(
        {
          code: codes.unknownCallee,
          span: callee.span,
          message: `unknown block or operation \`${callee.name}\``,
          hint: 'see docs/ops.md for the operations, or import the block',
          subject: callee.name,
          candidates: this.callables(),
        },
        callee,
      );
    }
    let position = piped ? 1 : 0;
    for (const arg of args) {
      let type: ParamType | undefined;
      let unknown = !shape && !local;
      if (arg.name) {
        const param = shape?.params.find((p) => p.name === arg.name!.name);
        if (shape && shape.kind !== 'builtin' && !param) {
          unknown = true;
          this.problem(
            {
              code: codes.unknownArgument,
              span: arg.name.span,
              message: `\`${callee.name}\` has no parameter named \`${arg.name.name}\``,
              subject: arg.name.name,
              candidates: shape.params.map((p) => p.name),
            },
            arg.name,
          );
        } else if (param) this.references.set(arg.name, { kind: 'parameter' });
        type = param?.type;
      } else {
        while (position > 0 && isNamedOnly(shape?.params[position])) position++;
        type = shape?.params[position++]?.type;
      }
      // A bare name given to an unknown callee or parameter may be one of its enum values
      // (`mode: bilinear`): the unknown callee or parameter is the one mistake to report.
      this.expression(arg.value, scope, typeof type === 'object' || unknown);
    }
  }

  private callee(name: string): CalleeShape | undefined {
    const declaration = this.module.scope.get(name)?.declaration;
    if (declaration) return { kind: 'block', params: declaration.params.map((p) => ({ name: p.name.name })) };
    const op = findOp(name);
    if (op) return { kind: 'operation', params: op.params };
    return findBuiltin(name) ? { kind: 'builtin', params: [] } : undefined;
  }

  private callables(): string[] {
    return [...this.module.scope.keys()];
  }
}
