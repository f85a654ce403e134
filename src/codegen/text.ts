/**
 * Text from a `.seg` file in generated code. Strings are written as JSON-quoted literals
 * (with the line and paragraph separators escaped too), so no quote, backtick or `${` can end
 * them; comments are made inert (`*\/` cannot close a block comment, line breaks cannot end a
 * line comment). Numbers are written so that they read back as the same double.
 */
import { InternalError } from '../diagnostics/diagnostic.js';
import type { AttrValue } from '../ops/op.js';

/**
 * A single-quoted string literal that evaluates to `text` exactly: JSON's escapes, with the
 * double quote left bare and the single quote escaped instead.
 */
export function quote(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${escaped.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

/** A number literal that evaluates to `value` exactly (`-0` and infinities included). */
export function numberLiteral(value: number): string {
  if (Object.is(value, -0)) return '-0';
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return String(value);
}

/** A compile-time value as a TypeScript literal. */
export function literal(value: AttrValue | readonly number[]): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return numberLiteral(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return `[${value.map((item) => literal(item as AttrValue)).join(', ')}]`;
  throw new InternalError(`cannot write ${String(value)} as a literal`);
}

const LINE_BREAKS = /\r\n|[\n\r\u2028\u2029\u0085]/g;

/** Text for a `//` comment: one line, whatever the source held. */
export function lineCommentText(text: string): string {
  return text.replace(LINE_BREAKS, ' ');
}

/**
 * Text for a `/** *\/` doc comment: `*\/` is broken so it cannot close the comment, and line
 * breaks are normalised to `\n` (ts-morph prefixes every line with ` * `).
 */
export function docCommentText(text: string): string {
  return text.replace(LINE_BREAKS, '\n').replace(/\*\//g, '*\\/');
}
