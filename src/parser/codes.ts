/**
 * Stable codes of the syntax diagnostics (the E01xx range). A code never changes meaning once
 * published; docs/language.md lists every one of them with an example.
 */
export const SyntaxCode = {
  unexpectedCharacter: 'E0101',
  unterminatedString: 'E0102',
  unterminatedComment: 'E0103',
  badEscape: 'E0104',
  malformedNumber: 'E0105',
  semicolon: 'E0106',
  fatArrow: 'E0107',
  singleQuotes: 'E0108',
  nestingTooDeep: 'E0109',
  unexpectedToken: 'E0110',
  missingEquals: 'E0111',
  keywordAsName: 'E0112',
  assignmentInWhere: 'E0113',
  unclosedBracket: 'E0114',
  expectedExpression: 'E0115',
  expectedStatement: 'E0116',
  expectedDeclaration: 'E0117',
  expectedName: 'E0118',
  expectedStage: 'E0119',
  unmatchedBracket: 'E0120',
  numberOutOfRange: 'E0121',
  parserFailure: 'E0199',
} as const;

export type SyntaxCodeName = keyof typeof SyntaxCode;

/** One line per code, for the reference table and for tools that list codes. */
export const SYNTAX_CODE_TITLES: Readonly<Record<string, string>> = {
  E0101: 'unexpected character',
  E0102: 'unterminated string',
  E0103: 'unterminated block comment',
  E0104: 'invalid escape sequence in a string',
  E0105: 'malformed number',
  E0106: '`;` used as a separator',
  E0107: '`=>` used instead of `->`',
  E0108: 'string in single quotes',
  E0109: 'brackets or operators nested too deeply',
  E0110: 'unexpected token',
  E0111: 'missing `=`',
  E0112: 'keyword used as a name',
  E0113: '`=` where `==` was meant in a `where` clause',
  E0114: 'missing closing bracket',
  E0115: 'expected an expression',
  E0116: 'expected a statement',
  E0117: 'expected a declaration',
  E0118: 'expected a name',
  E0119: 'expected a pipeline stage',
  E0120: 'closing bracket without an opening one',
  E0121: 'number out of range (an integer beyond 2^53 - 1, or a float that is not finite)',
  E0199: 'internal parser failure',
};
