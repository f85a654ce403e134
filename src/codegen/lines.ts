/**
 * The fixed printer of generated code: text as nested lists of lines, where a nested list is
 * indented one level (two spaces) more than its parent. ts-morph keeps this relative
 * indentation when the text becomes a function body.
 */
export type Lines = readonly (string | Lines)[];

export function render(lines: Lines, depth = 0): string {
  return lines
    .map((line) => (typeof line === 'string' ? (line ? `${'  '.repeat(depth)}${line}` : '') : render(line, depth + 1)))
    .join('\n');
}

/** `open`, the body indented, `close`: a block, object literal or call spread over lines. */
export function block(open: string, body: Lines, close: string): Lines {
  return [open, body, close];
}
