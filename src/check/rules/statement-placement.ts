/**
 * Invariant: `input` and `output` appear only in models, `return` only in blocks; a block ends
 * with exactly one `return`; a model has at least one input and one output.
 */
import type { Check } from '../context.js';
import { codes } from '../../diagnostics/codes.js';

export const statementPlacement: Check = {
  name: 'statement-placement',
  run({ module, report }) {
    for (const declaration of module.program.declarations) {
      const isModel = declaration.kind === 'ModelDecl';
      const kind = isModel ? 'model' : 'block';
      for (const statement of declaration.body) {
        if (!isModel && (statement.kind === 'InputStmt' || statement.kind === 'OutputStmt')) {
          const word = statement.kind === 'InputStmt' ? 'input' : 'output';
          report.error(
            codes.inputInBlock,
            statement.span,
            `\`${word}\` belongs in a model, not in block \`${declaration.name.name}\``,
            word === 'input' ? 'a block receives tensors as parameters' : 'a block gives its result with `return`',
          );
        }
        if (isModel && statement.kind === 'ReturnStmt') {
          report.error(
            codes.returnInModel,
            statement.span,
            `\`return\` belongs in a block, not in model \`${declaration.name.name}\``,
            'a model names its results with `output name = expr`',
          );
        }
      }
      const returns = declaration.body.filter((s) => s.kind === 'ReturnStmt');
      if (!isModel && returns.length === 0) {
        report.error(
          codes.missingReturn,
          declaration.name.span,
          `block \`${declaration.name.name}\` has no \`return\``,
          'end the block with `return expr`',
        );
      }
      if (!isModel && returns.length > 0) {
        const last = declaration.body[declaration.body.length - 1]!;
        for (const extra of returns.slice(1))
          report.error(
            codes.statementAfterReturn,
            extra.span,
            `block \`${declaration.name.name}\` returns more than once`,
            'return several tensors as a tuple: `return (a, b)`',
          );
        if (last.kind !== 'ReturnStmt')
          report.error(
            codes.statementAfterReturn,
            last.span,
            `statements after \`return\` in block \`${declaration.name.name}\` never run`,
            'move `return` to the end',
          );
      }
      if (isModel && !declaration.body.some((s) => s.kind === 'InputStmt')) {
        report.error(
          codes.noInput,
          declaration.name.span,
          `model \`${declaration.name.name}\` has no input`,
          'declare one: `input image: f32[N, H, W, 3]`',
        );
      }
      if (isModel && !declaration.body.some((s) => s.kind === 'OutputStmt')) {
        report.error(
          codes.noOutput,
          declaration.name.span,
          `${kind} \`${declaration.name.name}\` has no output`,
          'add `output name = expr`',
        );
      }
    }
  },
};
