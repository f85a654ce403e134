/** Invariant (warning): every `let` and every block parameter is used; an unused one is usually a wiring mistake. */
import type { Check } from '../context.js';
import { resolveModule } from '../../ir/resolve.js';
import { codes } from '../../diagnostics/codes.js';

export const unusedBindings: Check = {
  name: 'unused-bindings',
  run({ module, report }) {
    const models = new Set(module.program.declarations.filter((d) => d.kind === 'ModelDecl').map((d) => d.name.name));
    for (const binding of resolveModule(module).bindings) {
      if (binding.uses > 0 || binding.name.startsWith('_')) continue;
      if (binding.kind === 'let') {
        report.warning(
          codes.unusedLet,
          binding.span,
          `\`${binding.name}\` is never used`,
          'use it, or remove the `let` (a name starting with `_` silences this)',
        );
      } else if (binding.kind === 'parameter' && !models.has(binding.declaration)) {
        report.warning(
          codes.unusedParameter,
          binding.span,
          `the parameter \`${binding.name}\` of \`${binding.declaration}\` is never used`,
          'remove it, or use it in the block body',
        );
      }
    }
  },
};
