/** Invariant: within a file, no two blocks or models share a name, and no parameter list repeats a name. */
import type { Check } from '../context.js';
import { codes } from '../../diagnostics/codes.js';

export const declarationsUnique: Check = {
  name: 'declarations-unique',
  run({ module, report }) {
    const seen = new Map<string, number>();
    for (const declaration of module.program.declarations) {
      const name = declaration.name.name;
      const first = seen.get(name);
      if (first !== undefined) {
        report.error(
          codes.duplicateDeclaration,
          declaration.name.span,
          `\`${name}\` is declared twice in this file (first at line ${first})`,
          'rename one of them',
        );
      } else seen.set(name, declaration.name.span.start.line);
      const params = new Set<string>();
      for (const param of declaration.params) {
        if (params.has(param.name.name)) {
          report.error(
            codes.duplicateParameter,
            param.name.span,
            `the parameter \`${param.name.name}\` of \`${name}\` is declared twice`,
            'rename one of them',
          );
        }
        params.add(param.name.name);
      }
    }
  },
};
