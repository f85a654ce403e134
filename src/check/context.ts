/**
 * What every static check receives: the loaded program and a place to report. Checks run on the
 * AST of every file, including blocks no model calls, so a mistake is found before it is used.
 */
import { DiagnosticBag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { LoadedProgram, Module } from '../program/modules.js';

export interface CheckContext {
  readonly program: LoadedProgram;
  readonly module: Module;
  readonly report: DiagnosticBag;
}

/** A static check: one invariant, one file (see rules/). */
export interface Check {
  readonly name: string;
  run(context: CheckContext): void;
}

export function runChecks(program: LoadedProgram, checks: readonly Check[]): Diagnostic[] {
  const bag = new DiagnosticBag();
  for (const module of program.modules.values()) {
    for (const check of checks) check.run({ program, module, report: bag });
  }
  return [...bag.all];
}
