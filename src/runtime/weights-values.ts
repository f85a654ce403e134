/**
 * Checks the values of weights before they load. A checksum proves the file is the one that was
 * saved, not that the numbers in it are usable: a NaN or an infinity (from a diverged training
 * run or a broken converter) or a negative batch-norm variance (whose square root is NaN) would
 * make every prediction meaningless without an error. Such weights are refused by name.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatLocation } from '../diagnostics/render.js';
import { fileSpan } from '../diagnostics/error.js';
import { BYTES_PER_ELEMENT, elementCount, type ExpectedWeight, type ManifestEntry } from './weights-manifest.js';
import { codes } from '../diagnostics/codes.js';

/** Weight roles that must not be negative: batch norm's moving variance (ops/bn.ts). */
const NON_NEGATIVE_ROLES = ['movingVariance'];

interface Census {
  nonFinite: number;
  negative: number;
  firstIndex: number;
}

function census(values: Float32Array, nonNegative: boolean): Census {
  const found: Census = { nonFinite: 0, negative: 0, firstIndex: -1 };
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    const finite = Number.isFinite(value);
    if (!finite) found.nonFinite++;
    else if (nonNegative && value < 0) found.negative++;
    else continue;
    if (found.firstIndex < 0) found.firstIndex = index;
  }
  return found;
}

function describe(found: Census, values: Float32Array): string {
  const parts = [];
  if (found.nonFinite > 0)
    parts.push(`${found.nonFinite} value${found.nonFinite === 1 ? '' : 's'} that are NaN or infinite`);
  if (found.negative > 0) parts.push(`${found.negative} negative variance${found.negative === 1 ? '' : 's'}`);
  return `${parts.join(' and ')} (the first at index ${found.firstIndex}: ${values[found.firstIndex]})`;
}

/** One diagnostic per float32 weight with a NaN, an infinity, or a negative variance. */
export function weightValueProblems(
  buffer: ArrayBuffer,
  specs: readonly ManifestEntry[],
  expected: readonly ExpectedWeight[],
  source: string,
): Diagnostic[] {
  const declared = new Map(expected.map((weight) => [weight.name, weight]));
  const problems: Diagnostic[] = [];
  let offset = 0;
  for (const spec of specs) {
    const count = elementCount(spec.shape);
    if (spec.dtype === 'float32') {
      const bad = valueProblem(spec.name, new Float32Array(buffer, offset, count), declared.get(spec.name), source);
      if (bad) problems.push(bad);
    }
    offset += count * BYTES_PER_ELEMENT;
  }
  return problems;
}

/** The diagnostic for one weight's values, or undefined when they are usable. */
export function valueProblem(
  name: string,
  values: Float32Array,
  weight: ExpectedWeight | undefined,
  source: string,
): Diagnostic | undefined {
  const found = census(
    values,
    NON_NEGATIVE_ROLES.some((role) => name.endsWith(`/${role}`)),
  );
  return found.firstIndex >= 0 ? problem(name, describe(found, values), weight, source) : undefined;
}

function problem(name: string, what: string, weight: ExpectedWeight | undefined, source: string): Diagnostic {
  const where = weight?.declaredAt ? ` (declared at ${formatLocation(weight.declaredAt)})` : '';
  return {
    code: codes.badWeightValues,
    severity: 'error',
    span: fileSpan(source),
    message: `weight \`${name}\` in ${source} holds ${what}${where}`,
    hint: 'the weights come from a training run that diverged or a broken conversion; retrain or convert them again',
  };
}
