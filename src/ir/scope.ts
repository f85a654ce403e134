/** Lexical scopes and evaluation frames of the elaborator, and what statements ask of the evaluator. */
import type { DiagnosticBag, Span } from '../diagnostics/diagnostic.js';
import type { Module } from '../program/modules.js';
import type * as ast from '../parser/ast.js';
import type { ParamType } from '../ops/op.js';
import type { GraphBuilder } from './builder.js';
import type { BoundArgument, Callee } from './calls.js';
import type { CallSite } from './graph.js';
import type { Value } from './values.js';

export class Scope {
  private readonly values = new Map<string, Value>();

  constructor(readonly parent?: Scope) {}

  define(name: string, value: Value): void {
    this.values.set(name, value);
  }

  lookup(name: string): Value | undefined {
    return this.values.get(name) ?? this.parent?.lookup(name);
  }

  /** Every name in scope, innermost first; lazily, since suggestions look at only the first ones. */
  *names(): Generator<string> {
    yield* this.values.keys();
    if (this.parent) yield* this.parent.names();
  }
}

export interface Frame {
  readonly module: Module;
  readonly scope: Scope;
  /** The naming path for nodes created here: `enc/aspp/branches/1`. */
  readonly prefix: readonly string[];
  readonly callChain: readonly CallSite[];
}

/**
 * The evaluator as statements and block calls (statements.ts) use it; declared here so that
 * statements.ts and evaluate.ts, which calls them, do not import each other.
 */
export interface Evaluator {
  readonly builder: GraphBuilder;
  readonly diagnostics: DiagnosticBag;
  readonly modules: ReadonlyMap<string, Module>;
  report(code: string, span: Span, message: string, hint: string | undefined, frame: Frame): void;
  evaluate(expression: ast.Expression, frame: Frame): Value;
  argument(expression: ast.Expression, type: ParamType | 'any', frame: Frame): Value;
  bind(
    callee: Callee,
    args: readonly ast.Argument[],
    piped: { value: Value; span: Span } | undefined,
    span: Span,
    frame: Frame,
  ): Map<string, BoundArgument> | undefined;
}
