/** Lexical scopes and evaluation frames of the elaborator. */
import type { Module } from '../program/modules.js';
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
