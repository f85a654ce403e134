/**
 * Chevrotain words its errors itself ("Expecting token of type ..."). Instead of parsing that
 * text back, the parser is given this provider, which records what was expected as JSON in the
 * exception message; syntax-errors.ts decodes it and writes the user-facing message.
 */
import type { IParserErrorMessageProvider, TokenType } from 'chevrotain';

export type ExpectationKind = 'mismatch' | 'noViableAlternative' | 'earlyExit' | 'redundantInput';

export interface Expectation {
  readonly kind: ExpectationKind;
  /** Names of the token types that would have been accepted. */
  readonly expected: readonly string[];
  readonly rule: string;
}

function firstTokens(paths: readonly (readonly TokenType[])[]): string[] {
  const names = paths.map((path) => path[0]?.name).filter((name): name is string => name !== undefined);
  return [...new Set(names)];
}

function encode(expectation: Expectation): string {
  return JSON.stringify(expectation);
}

export const errorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, ruleName }) =>
    encode({ kind: 'mismatch', expected: [expected.name], rule: ruleName }),
  buildNotAllInputParsedMessage: ({ ruleName }) => encode({ kind: 'redundantInput', expected: [], rule: ruleName }),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName }) =>
    encode({ kind: 'noViableAlternative', expected: firstTokens(expectedPathsPerAlt.flat()), rule: ruleName }),
  buildEarlyExitMessage: ({ expectedIterationPaths, ruleName }) =>
    encode({ kind: 'earlyExit', expected: firstTokens(expectedIterationPaths), rule: ruleName }),
};

/** Reads back what the provider recorded; undefined for a message it did not write. */
export function decodeExpectation(message: string): Expectation | undefined {
  try {
    const value = JSON.parse(message) as Partial<Expectation>;
    if (typeof value.kind !== 'string' || !Array.isArray(value.expected) || typeof value.rule !== 'string')
      return undefined;
    return value as Expectation;
  } catch {
    return undefined;
  }
}
