/**
 * Invariant: every name refers to something in scope (a parameter, an input, a size symbol, an
 * earlier `let`, a loop variable), every call names a block, operation or builtin, and every named
 * argument names a parameter of the callee.
 */
import { didYouMean } from '../../diagnostics/suggest.js';
import { BUILTINS } from '../../ir/builtins.js';
import { OPS } from '../../ops/registry.js';
import type { Check } from '../context.js';
import { resolveModule } from '../../ir/resolve.js';
import { codes } from '../../diagnostics/codes.js';

export const namesResolve: Check = {
  name: 'names-resolve',
  run({ module, report }) {
    for (const problem of resolveModule(module).problems) {
      let candidates = problem.candidates;
      if (problem.code === codes.unknownCallee)
        candidates = [...(candidates ?? []), ...OPS.map((o) => o.name), ...BUILTINS.map((b) => b.name)];
      const suggestion = candidates && problem.subject ? didYouMean(problem.subject, candidates) : undefined;
      report.error(problem.code, problem.span, problem.message, suggestion ?? problem.hint);
    }
  },
};
