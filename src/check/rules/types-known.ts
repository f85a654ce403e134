/** Invariant: every parameter type names a known type (`int`, `float`, `bool`, `string`, `tensor`, with `[]`). */
import { didYouMean } from '../../diagnostics/suggest.js';
import { KNOWN_TYPES } from '../../ir/calls.js';
import type { Check } from '../context.js';
import { codes } from '../../diagnostics/codes.js';

export const typesKnown: Check = {
  name: 'types-known',
  run({ module, report }) {
    for (const declaration of module.program.declarations) {
      for (const param of declaration.params) {
        const type = param.type;
        if (!type || KNOWN_TYPES.includes(type.name)) continue;
        report.error(
          codes.unknownType,
          type.span,
          `unknown type \`${type.name}\``,
          didYouMean(type.name, KNOWN_TYPES) ?? `types: ${KNOWN_TYPES.join(', ')} (add [] for a list)`,
        );
      }
    }
  },
};
