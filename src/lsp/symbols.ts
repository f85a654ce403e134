/**
 * Every name in one file and what it refers to: the index behind hover, go to definition, find
 * references, rename and semantic tokens. Scoping follows the checker's resolver
 * (src/ir/resolve.ts): parameters, inputs and their size symbols, `let`s from their statement
 * on, comprehension and `repeat` variables inside their body. The resolver counts uses for its
 * checks; an editor needs where each use is, so this walk keeps the spans.
 */
import type { Span } from '../diagnostics/diagnostic.js';
import type { Module } from '../program/modules.js';
import type * as ast from '../parser/ast.js';
import { findBuiltin } from '../ir/builtins.js';
import { findOp } from '../ops/registry.js';

export type BindingKind = 'parameter' | 'let' | 'input' | 'output' | 'symbol' | 'variable';

/** Something a name can refer to. */
export type Target =
  | {
      readonly kind: 'binding';
      readonly binding: BindingKind;
      readonly name: string;
      readonly span: Span;
      readonly declaration: ast.Declaration;
      readonly statement?: ast.Node;
    }
  | { readonly kind: 'declaration'; readonly declaration: ast.Declaration; readonly file: string }
  | { readonly kind: 'operation'; readonly name: string }
  | { readonly kind: 'builtin'; readonly name: string }
  | { readonly kind: 'argument'; readonly name: string; readonly callee: Target | undefined }
  | { readonly kind: 'annotation'; readonly name: string };

export interface Occurrence {
  readonly name: string;
  readonly span: Span;
  /** True where the name is introduced (a `let`, a parameter, a declaration's own name). */
  readonly defines: boolean;
  readonly target?: Target;
  /** The declaration the name appears in (undefined for imports). */
  readonly declaration?: ast.Declaration;
  /** For callees: the pipeline stage or call expression, so hover can find its IR node. */
  readonly call?: ast.Node;
}

class Scope {
  private readonly names = new Map<string, Target>();
  constructor(private readonly parent?: Scope) {}
  lookup(name: string): Target | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
  define(name: string, target: Target): void {
    this.names.set(name, target);
  }
  child(): Scope {
    return new Scope(this);
  }
}

const cache = new WeakMap<Module, readonly Occurrence[]>();

/** The occurrences of names in a module, in source order. */
export function occurrences(module: Module): readonly Occurrence[] {
  let found = cache.get(module);
  if (!found) {
    const walker = new Walker(module);
    walker.walkImports();
    for (const declaration of module.program.declarations) walker.walkDeclaration(declaration);
    found = walker.found.sort((a, b) => a.span.start.offset - b.span.start.offset);
    cache.set(module, found);
  }
  return found;
}

/** The occurrence whose span contains the offset (an identifier ends where the cursor may sit). */
export function occurrenceAt(module: Module, offset: number): Occurrence | undefined {
  return occurrences(module).find((o) => o.span.start.offset <= offset && offset <= o.span.end.offset);
}

/** Two targets are the same thing when they are defined at the same place. */
export function sameTarget(a: Target | undefined, b: Target | undefined): boolean {
  if (!a || !b || a.kind !== b.kind) return false;
  if (a.kind === 'binding' && b.kind === 'binding')
    return a.span.file === b.span.file && a.span.start.offset === b.span.start.offset;
  if (a.kind === 'declaration' && b.kind === 'declaration') return a.declaration === b.declaration;
  if (a.kind === 'argument' && b.kind === 'argument') return a.name === b.name && sameTarget(a.callee, b.callee);
  return 'name' in a && 'name' in b && a.name === b.name;
}

class Walker {
  readonly found: Occurrence[] = [];
  private declaration!: ast.Declaration;

  constructor(private readonly module: Module) {}

  walkImports(): void {
    for (const decl of this.module.program.imports) {
      for (const item of decl.names) {
        const ref = this.module.scope.get((item.alias ?? item.name).name);
        const target: Target | undefined = ref
          ? { kind: 'declaration', declaration: ref.declaration, file: ref.module }
          : undefined;
        this.add(item.name, false, target);
        if (item.alias) this.add(item.alias, true, target);
      }
    }
  }

  walkDeclaration(declaration: ast.Declaration): void {
    this.declaration = declaration;
    this.add(declaration.name, true, { kind: 'declaration', declaration, file: this.module.path });
    const scope = new Scope();
    for (const param of declaration.params) {
      if (param.default) this.expression(param.default, scope);
      this.bind(param.name, 'parameter', scope, param);
    }
    for (const annotation of declaration.annotations) this.annotation(annotation, scope);
    for (const statement of declaration.body) this.statement(statement, scope);
  }

  private statement(statement: ast.Statement, scope: Scope): void {
    switch (statement.kind) {
      case 'LetStmt':
        this.expression(statement.value, scope);
        for (const name of statement.names) this.bind(name, 'let', scope, statement);
        return;
      case 'InputStmt':
        this.bind(statement.name, 'input', scope, statement);
        for (const dim of statement.type.dims) this.sizeSymbols(dim, scope, statement);
        for (const constraint of statement.constraints) this.expression(constraint, scope);
        return;
      case 'OutputStmt':
        this.expression(statement.value, scope);
        this.add(statement.name, true, {
          kind: 'binding',
          binding: 'output',
          name: statement.name.name,
          span: statement.name.span,
          declaration: this.declaration,
          statement,
        });
        return;
      case 'ReturnStmt':
        this.expression(statement.value, scope);
    }
  }

  /** An unbound name in an input's dims declares a size symbol (`H` in `f32[N, H, W, 3]`). */
  private sizeSymbols(dim: ast.Expression, scope: Scope, statement: ast.Node): void {
    if (dim.kind === 'Identifier' && !scope.lookup(dim.name)) this.bind(dim, 'symbol', scope, statement);
    else this.expression(dim, scope);
  }

  private bind(name: ast.Identifier, binding: BindingKind, scope: Scope, statement?: ast.Node): void {
    const target: Target = {
      kind: 'binding',
      binding,
      name: name.name,
      span: name.span,
      declaration: this.declaration,
      ...(statement ? { statement } : {}),
    };
    scope.define(name.name, target);
    this.add(name, true, target);
  }

  private add(name: ast.Identifier, defines: boolean, target: Target | undefined, call?: ast.Node): void {
    this.found.push({
      name: name.name,
      span: name.span,
      defines,
      ...(target ? { target } : {}),
      ...(this.declaration ? { declaration: this.declaration } : {}),
      ...(call ? { call } : {}),
    });
  }

  private callee(name: ast.Identifier, call: ast.Node): Target | undefined {
    const ref = this.module.scope.get(name.name);
    let target: Target | undefined;
    if (ref) target = { kind: 'declaration', declaration: ref.declaration, file: ref.module };
    else if (findOp(name.name)) target = { kind: 'operation', name: name.name };
    else if (findBuiltin(name.name)) target = { kind: 'builtin', name: name.name };
    this.add(name, false, target, call);
    return target;
  }

  private arguments(args: readonly ast.Argument[], callee: Target | undefined, scope: Scope): void {
    for (const argument of args) {
      if (argument.name) this.add(argument.name, false, { kind: 'argument', name: argument.name.name, callee });
      this.expression(argument.value, scope);
    }
  }

  private annotation(annotation: ast.Annotation, scope: Scope): void {
    this.add(annotation.name, false, { kind: 'annotation', name: annotation.name.name });
    this.arguments(annotation.args, undefined, scope);
  }

  private stage(stage: ast.Stage, scope: Scope): void {
    if (stage.kind === 'CallStage') {
      const callee = this.callee(stage.callee, stage);
      if (stage.args) this.arguments(stage.args, callee, scope);
    } else {
      this.expression(stage.count, scope);
      const inner = scope.child();
      if (stage.variable) this.bind(stage.variable, 'variable', inner);
      for (const s of stage.stages) this.stage(s, inner);
    }
    for (const annotation of stage.annotations) this.annotation(annotation, scope);
  }

  private expression(expression: ast.Expression | ast.ListItem, scope: Scope): void {
    switch (expression.kind) {
      case 'Identifier':
        this.add(expression, false, scope.lookup(expression.name) ?? this.declarationTarget(expression.name));
        return;
      case 'ListExpr':
        for (const item of expression.items) this.expression(item, scope);
        return;
      case 'Comprehension': {
        this.expression(expression.iterable, scope);
        const inner = scope.child();
        this.bind(expression.variable, 'variable', inner);
        if (expression.condition) this.expression(expression.condition, inner);
        this.expression(expression.body, inner);
        return;
      }
      case 'TupleExpr':
        for (const element of expression.elements) this.expression(element, scope);
        return;
      case 'CallExpr':
        this.arguments(expression.args, this.callee(expression.callee, expression), scope);
        return;
      case 'PipelineExpr':
        this.expression(expression.head, scope);
        for (const stage of expression.stages) this.stage(stage, scope);
        return;
      case 'BinaryExpr':
        this.expression(expression.left, scope);
        this.expression(expression.right, scope);
        return;
      case 'UnaryExpr':
        this.expression(expression.operand, scope);
        return;
      case 'ConditionalExpr':
        this.expression(expression.condition, scope);
        this.expression(expression.then, scope);
        this.expression(expression.otherwise, scope);
        return;
      case 'IndexExpr':
        this.expression(expression.target, scope);
        this.expression(expression.index, scope);
        return;
      case 'AnnotatedExpr':
        this.expression(expression.expression, scope);
        for (const annotation of expression.annotations) this.annotation(annotation, scope);
        return;
      case 'ParenExpr':
        this.expression(expression.expression, scope);
    }
  }

  /** A bare name that is no local: a block used as a value, or an enum word (`mode: bilinear`). */
  private declarationTarget(name: string): Target | undefined {
    const ref = this.module.scope.get(name);
    return ref ? { kind: 'declaration', declaration: ref.declaration, file: ref.module } : undefined;
  }
}
