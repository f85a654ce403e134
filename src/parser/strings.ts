/**
 * String literals: decoding the escapes of a lexed literal (with the problems found, so the
 * lexer can report each bad escape at its own column) and quoting a value back for the printer.
 */

export interface StringProblem {
  /** Offset of the problem inside the literal's source text. */
  readonly offset: number;
  readonly length: number;
  readonly message: string;
  readonly hint: string;
}

export interface DecodedString {
  readonly value: string;
  readonly terminated: boolean;
  readonly problems: readonly StringProblem[];
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n', t: '\t' };
const ESCAPE_HINT = 'the escapes are `\\"`, `\\\\`, `\\n`, `\\t` and `\\u{XXXX}`';
const UNICODE_HINT = 'write a code point as 1 to 6 hex digits in braces, as in `\\u{1F600}`';

interface EscapeResult {
  readonly text: string;
  readonly length: number;
  readonly problem?: Omit<StringProblem, 'offset' | 'length'>;
}

function unicodeEscape(image: string, start: number): EscapeResult {
  const match = /^\\u\{([0-9A-Fa-f]{1,6})\}/.exec(image.slice(start, start + 10));
  if (!match) {
    const length = /^\\u\{[^}"]*\}?/.exec(image.slice(start))?.[0].length ?? 2;
    const shown = image.slice(start, start + length);
    return { text: '', length, problem: { message: `malformed Unicode escape \`${shown}\``, hint: UNICODE_HINT } };
  }
  const codePoint = parseInt(match[1]!, 16);
  if (codePoint > 0x10ffff) {
    return {
      text: '',
      length: match[0].length,
      problem: { message: `\`${match[0]}\` is not a Unicode code point`, hint: 'code points go up to `\\u{10FFFF}`' },
    };
  }
  return { text: String.fromCodePoint(codePoint), length: match[0].length };
}

function escape(image: string, start: number, quote: string): EscapeResult {
  const next = image[start + 1];
  if (next === undefined) return { text: '', length: 1 };
  if (next === 'u') return unicodeEscape(image, start);
  const simple = next === quote ? quote : SIMPLE_ESCAPES[next];
  if (simple !== undefined) return { text: simple, length: 2 };
  const shown = next === ' ' ? '\\ ' : `\\${next}`;
  return { text: next, length: 2, problem: { message: `unknown escape \`${shown}\` in a string`, hint: ESCAPE_HINT } };
}

/**
 * Decodes a literal as lexed, quotes included. Unterminated literals (no closing quote) are
 * decoded up to their end; bad escapes keep the escaped character so the value stays usable.
 */
export function decodeString(image: string): DecodedString {
  const quote = image[0] ?? '"';
  const problems: StringProblem[] = [];
  let value = '';
  let index = 1;
  while (index < image.length) {
    const character = image[index]!;
    if (character === quote) return { value, terminated: true, problems };
    if (character !== '\\') {
      value += character;
      index++;
      continue;
    }
    const result = escape(image, index, quote);
    if (result.problem) problems.push({ offset: index, length: result.length, ...result.problem });
    value += result.text;
    index += result.length;
  }
  return { value, terminated: false, problems };
}

function escapeCharacter(character: string): string {
  if (character === '"') return '\\"';
  if (character === '\\') return '\\\\';
  if (character === '\n') return '\\n';
  if (character === '\t') return '\\t';
  const code = character.codePointAt(0)!;
  const invisible = code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029;
  return invisible ? `\\u{${code.toString(16).toUpperCase()}}` : character;
}

/** The canonical source form of a string value: double quotes, minimal escapes. */
export function quoteString(value: string): string {
  let out = '"';
  for (const character of value) out += escapeCharacter(character);
  return `${out}"`;
}
