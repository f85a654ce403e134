/**
 * Text in the hand-written chart SVGs (training curve, confusion matrix). There is no font at
 * hand to measure with when the file is written, so widths are estimated generously (0.62 em per
 * character, wider than the average of the sans-serif faces viewers substitute), and layouts leave
 * room for that estimate; a chromium test checks the result with real fonts.
 */

const EM_PER_CHARACTER = 0.62;

export function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

/** The estimated width in pixels of `text` at `fontSize` pixels. */
export function textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * EM_PER_CHARACTER;
}

/**
 * Breaks `text` into lines no wider than `width`, between words (or after a `/` in a long path);
 * a single word longer than a line is cut with an ellipsis. At most `maxLines` lines; the last one
 * ends with an ellipsis when text is left over.
 */
export function wrapText(text: string, width: number, fontSize: number, maxLines = 2): string[] {
  const fits = (line: string) => textWidth(line, fontSize) <= width;
  const words = text.split(/(?<=\s)|(?<=\/)/).filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (fits(line + word)) {
      line += word;
      continue;
    }
    if (line.trim()) lines.push(line.trimEnd());
    line = word.trimStart();
  }
  if (line.trim()) lines.push(line.trimEnd());
  const kept = lines.slice(0, maxLines).map((l) => (fits(l) ? l : cut(l, width, fontSize)));
  if (lines.length > maxLines) kept[maxLines - 1] = cut(`${kept[maxLines - 1]!}…`, width, fontSize);
  return kept;
}

/**
 * A data folder as a chart names it: relative to the working folder when inside it, else by its
 * last two parts (`mnist/train`). A chart is shared; the folders of the machine that trained
 * the model mean nothing to a reader (nor should they leak).
 */
export function shownPath(path: string, cwd: string): string {
  const parts = (text: string) => text.split(/[\\/]+/).filter((p) => p.length > 0 && p !== '.');
  if (!/^([A-Za-z]:)?[\\/]/.test(path)) return parts(path).join('/') || '.';
  const base = parts(cwd);
  const full = parts(path);
  const inside = base.length > 0 && base.every((p, i) => full[i] === p);
  return inside && full.length > base.length ? full.slice(base.length).join('/') : full.slice(-2).join('/');
}

function cut(line: string, width: number, fontSize: number): string {
  let text = line;
  while (text.length > 1 && textWidth(text, fontSize) > width) text = `${text.slice(0, -2)}…`;
  return text;
}
