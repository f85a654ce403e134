/** The static checks, run in this order on every file of a program. */
import type { Check } from './context.js';
import { declarationsUnique } from './rules/declarations-unique.js';
import { namesResolve } from './rules/names-resolve.js';
import { statementPlacement } from './rules/statement-placement.js';
import { typesKnown } from './rules/types-known.js';
import { unusedBindings } from './rules/unused-bindings.js';

export const CHECKS: readonly Check[] = [
  declarationsUnique,
  typesKnown,
  statementPlacement,
  namesResolve,
  unusedBindings,
];

export { runChecks } from './context.js';
export type { Check, CheckContext } from './context.js';
