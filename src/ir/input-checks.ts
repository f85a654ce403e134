/**
 * Checks of a model's inputs that need their sizes: `where` clauses that no size satisfies, and
 * an image input written channels-first (PyTorch's NCHW) where segc's shapes are NHWC.
 */
import type { DiagnosticBag, Span } from '../diagnostics/diagnostic.js';
import type * as ast from '../parser/ast.js';
import { type SizeConstraint, SizeSpace } from '../shapes/sizes.js';
import type { Dim } from '../shapes/symbolic.js';
import { codes } from '../diagnostics/codes.js';

/** The largest size tried when deciding that no size satisfies a symbol's clauses. */
export const LARGEST_SIZE = 65_536;

/**
 * Reports each size symbol whose own `where` clauses no size from 1 to LARGEST_SIZE satisfies,
 * naming a smallest set of clauses that conflict. Returns false when there was one.
 */
export function checkSatisfiable(bag: DiagnosticBag, sizes: SizeSpace, fallback: Span): boolean {
  let ok = true;
  for (const symbol of sizes.symbols) {
    if (sizes.fixed.has(symbol) || sizes.valuesOf(symbol).length > 0 || sizes.valuesOf(symbol, LARGEST_SIZE).length > 0)
      continue;
    const own = sizes.constraints.filter((c) => c.symbols.length === 1 && c.symbols[0] === symbol);
    const conflict = smallestConflict(own, symbol);
    const clauses = conflict.map((c) => `\`${c.text}\``);
    const last = conflict[conflict.length - 1]!;
    const message =
      conflict.length === 1
        ? `no size of \`${symbol}\` satisfies ${clauses[0]}`
        : `no size of \`${symbol}\` satisfies ${clauses.slice(0, -1).join(', ')} and ${clauses[clauses.length - 1]} together`;
    const hint =
      conflict.length === 1
        ? `sizes are ints from 1 up; change the clause`
        : 'these clauses contradict each other: change or remove one of them';
    const related = conflict
      .slice(0, -1)
      .flatMap((c) => (c.span ? [{ span: c.span, message: `\`${c.text}\` is here` }] : []));
    bag.error(codes.unsatisfiableConstraints, last.span ?? fallback, message, hint, related);
    ok = false;
  }
  return ok;
}

/** Drops clauses while the rest still conflict: what is left all takes part in the conflict. */
function smallestConflict(constraints: readonly SizeConstraint[], symbol: string): SizeConstraint[] {
  let kept = [...constraints];
  for (const constraint of constraints) {
    const without = kept.filter((c) => c !== constraint);
    if (new SizeSpace([symbol], without).valuesOf(symbol, LARGEST_SIZE).length === 0) kept = without;
  }
  return kept;
}

/**
 * Warns about `f32[N, 3, 224, 224]`: a few "rows" and image-sized "channels" are nearly always
 * a channels-first shape copied from PyTorch. The hint writes the same sizes channels last.
 */
export function lintChannelsFirst(
  bag: DiagnosticBag,
  statement: ast.InputStmt,
  shape: readonly Dim[],
  source: string,
): void {
  if (shape.length !== 4) return;
  const [, second, third, fourth] = shape as [Dim, Dim, Dim, Dim];
  const few = second.kind === 'const' && second.value <= 4;
  const symbolic = third.kind !== 'const' && fourth.kind !== 'const';
  const large = third.kind === 'const' && fourth.kind === 'const' && third.value >= 8 && fourth.value >= 8;
  if (!few || !(symbolic || large)) return;
  const texts = statement.type.dims.map((d) => source.slice(d.span.start.offset, d.span.end.offset));
  const written = `${statement.type.dtype.name}[${texts.join(', ')}]`;
  const channelsLast = `${statement.type.dtype.name}[${[texts[0], texts[2], texts[3], texts[1]].join(', ')}]`;
  const channels = fourth.kind === 'const' ? String(fourth.value) : texts[3];
  bag.warning(
    codes.channelsFirstInput,
    statement.type.span,
    `input \`${statement.name.name}\` looks channels-first: \`${written}\` has ${texts[1]} rows and ${channels} channels`,
    `shapes are NHWC (channels last): write \`${channelsLast}\``,
  );
}
