/**
 * Scanning of number literals. A number starts with a digit: `12`, `0.5`, `1e-3`, `2.5E+4`.
 * Near misses (`1.`, `1e`, `.5`, `3x`) are scanned as one malformed token so that the lexer
 * can report them with a precise hint instead of splitting them into confusing pieces.
 */

export type NumberProblem = 'trailing-dot' | 'empty-exponent' | 'leading-dot' | 'trailing-letters';

export interface ScannedNumber {
  readonly length: number;
  readonly problem?: NumberProblem;
}

const DIGIT = /[0-9]/;
const NAME_CHARACTER = /[A-Za-z0-9_.]/;
const WELL_FORMED = /^[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function isDigit(character: string | undefined): boolean {
  return character !== undefined && DIGIT.test(character);
}

function skipDigits(text: string, offset: number): number {
  let end = offset;
  while (isDigit(text[end])) end++;
  return end;
}

function scanFraction(text: string, offset: number): { end: number; problem?: NumberProblem } {
  if (text[offset] !== '.') return { end: offset };
  if (isDigit(text[offset + 1])) return { end: skipDigits(text, offset + 1) };
  return { end: offset + 1, problem: 'trailing-dot' };
}

function scanExponent(text: string, offset: number): { end: number; problem?: NumberProblem } {
  if (text[offset] !== 'e' && text[offset] !== 'E') return { end: offset };
  const signed = text[offset + 1] === '+' || text[offset + 1] === '-';
  const digitsStart = offset + 1 + (signed ? 1 : 0);
  if (isDigit(text[digitsStart])) return { end: skipDigits(text, digitsStart) };
  return { end: digitsStart, problem: 'empty-exponent' };
}

/** Scans the number-like run at `offset`, or returns undefined when none starts there. */
export function scanNumber(text: string, offset: number): ScannedNumber | undefined {
  const leadingDot = text[offset] === '.' && isDigit(text[offset + 1]);
  if (!isDigit(text[offset]) && !leadingDot) return undefined;
  const integerEnd = leadingDot ? offset : skipDigits(text, offset);
  const fraction = scanFraction(text, integerEnd);
  const exponent = fraction.problem ? { end: fraction.end } : scanExponent(text, fraction.end);
  let end = exponent.end;
  while (end < text.length && NAME_CHARACTER.test(text[end]!)) end++;
  const problem: NumberProblem | undefined = leadingDot
    ? 'leading-dot'
    : (fraction.problem ??
      ('problem' in exponent ? exponent.problem : undefined) ??
      (end > exponent.end ? 'trailing-letters' : undefined));
  return problem ? { length: end - offset, problem } : { length: end - offset };
}

/** True for a literal written with a `.` or an exponent: a float rather than an int. */
export function isFloatLiteral(raw: string): boolean {
  return /[.eE]/.test(raw);
}

/** The value of a literal; for a malformed one, the value of its longest well-formed prefix. */
export function numberValue(raw: string): number {
  if (WELL_FORMED.test(raw)) return Number(raw);
  const prefix = /^[0-9]*(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(raw)?.[0] ?? '';
  const fallback = Number(prefix.startsWith('.') ? `0${prefix}` : prefix);
  return Number.isFinite(fallback) ? fallback : 0;
}

/**
 * Why a well-formed literal cannot be used as written, if it cannot: an integer beyond 2^53 - 1
 * (doubles would silently round it), or a float too large to be finite.
 */
export function numberRangeProblem(raw: string): { message: string; hint: string } | undefined {
  const value = numberValue(raw);
  const shown = raw.length > 40 ? `${raw.slice(0, 20)}…(${raw.length} digits)` : raw;
  if (!isFloatLiteral(raw) && !Number.isSafeInteger(value)) {
    return {
      message: `the integer \`${shown}\` is too large: integers are exact up to ${Number.MAX_SAFE_INTEGER} (2^53 - 1)`,
      hint: 'no size or count comes near it; write a float such as `1e20` if an approximate value will do (docs/limits.md)',
    };
  }
  if (!Number.isFinite(value))
    return {
      message: `the number \`${shown}\` is too large to be represented`,
      hint: 'floats go up to about 1.8e308 (docs/limits.md)',
    };
  return undefined;
}

/** The hint shown for a malformed number. */
export function numberHint(raw: string, problem: NumberProblem): string {
  switch (problem) {
    case 'trailing-dot':
      return `write \`${raw}0\` for a float or \`${raw.slice(0, -1)}\` for an integer`;
    case 'empty-exponent':
      return 'an exponent needs digits, as in `1e-3`';
    case 'leading-dot':
      return `a number starts with a digit: write \`0${raw}\``;
    case 'trailing-letters':
      return 'a number cannot run into letters; put a space or an operator between them';
  }
}
