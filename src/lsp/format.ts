/** Formatting through the `segc fmt` printer; a file that does not parse is left as it is. */
import { parse, print } from '../parser/index.js';

/** The formatted text, or undefined when the file has syntax errors or is already formatted. */
export function formatText(text: string, path: string): string | undefined {
  const { program, diagnostics } = parse(text, path);
  if (diagnostics.some((d) => d.severity === 'error')) return undefined;
  const formatted = print(program);
  return formatted === text ? undefined : formatted;
}
