/**
 * A strict little XML well-formedness check for the SVG tests (no XML parser is installed):
 * balanced tags, quoted attributes, no stray `<` or `&` in text, known entities only.
 * Returns the problems found; an empty list means well-formed.
 */
const NAME = /^[A-Za-z_:][\w:.-]*$/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

export function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  let position = 0;
  let roots = 0;
  while (position < text.length) {
    const start = text.indexOf('<', position);
    checkText(text.slice(position, start === -1 ? text.length : start), problems);
    if (start === -1) break;
    const end = markupEnd(text, start);
    if (end === -1) {
      problems.push(`unterminated markup at ${start}`);
      break;
    }
    const markup = text.slice(start, end);
    if (!markup.startsWith('<!') && !markup.startsWith('<?')) roots += checkTag(markup, open, problems);
    position = end;
  }
  if (open.length > 0) problems.push(`unclosed elements: ${open.join(', ')}`);
  if (roots !== 1) problems.push(`expected one root element, found ${roots}`);
  return problems;
}

/** Decodes the five XML entities and numeric references. */
export function decodeXml(text: string): string {
  return text.replace(ENTITY, (entity) => {
    const named: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };
    if (named[entity]) return named[entity]!;
    const hex = entity.startsWith('&#x');
    return String.fromCodePoint(Number.parseInt(entity.slice(hex ? 3 : 2, -1), hex ? 16 : 10));
  });
}

function markupEnd(text: string, start: number): number {
  if (text.startsWith('<!--', start)) {
    const end = text.indexOf('-->', start);
    return end === -1 ? -1 : end + 3;
  }
  const end = text.indexOf('>', start);
  return end === -1 ? -1 : end + 1;
}

/** Returns 1 when the tag opens a root element. */
function checkTag(markup: string, open: string[], problems: string[]): number {
  if (markup.startsWith('</')) {
    const name = markup.slice(2, -1).trim();
    const expected = open.pop();
    if (name !== expected) problems.push(`</${name}> closes <${expected ?? 'nothing'}>`);
    return 0;
  }
  const selfClosing = markup.endsWith('/>');
  const body = markup.slice(1, selfClosing ? -2 : -1);
  const match = /^([^\s/>]+)([\s\S]*)$/.exec(body);
  if (!match || !NAME.test(match[1]!)) {
    problems.push(`bad tag ${markup.slice(0, 40)}`);
    return 0;
  }
  checkAttributes(match[2]!, match[1]!, problems);
  const root = open.length === 0 ? 1 : 0;
  if (!selfClosing) open.push(match[1]!);
  return root;
}

function checkAttributes(text: string, tag: string, problems: string[]): void {
  const seen = new Set<string>();
  const rest = text.replace(/\s+([A-Za-z_:][\w:.-]*)="([^"<]*)"/g, (_all, name: string, value: string) => {
    if (seen.has(name)) problems.push(`<${tag}> repeats attribute ${name}`);
    seen.add(name);
    checkText(value, problems);
    return '';
  });
  if (rest.trim() !== '') problems.push(`<${tag}> has malformed attributes: ${rest.trim().slice(0, 40)}`);
}

function checkText(text: string, problems: string[]): void {
  const stray = text.replace(ENTITY, '');
  if (stray.includes('&')) problems.push(`unescaped & in ${text.slice(0, 40)}`);
}
