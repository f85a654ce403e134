/**
 * `///` doc comments. A run of `///` lines, each alone on its line, documents the declaration
 * or statement that starts on the very next line. The visitor takes the run when it builds
 * that node; runs that document nothing are handed back as ordinary comments, so that the
 * formatter still keeps them.
 */
import type { IToken } from 'chevrotain';

interface DocRun {
  readonly tokens: IToken[];
  taken: boolean;
}

/** The text of one `///` line: without the slashes and one leading space. */
function docLine(token: IToken): string {
  const text = token.image.slice(3);
  return text.startsWith(' ') ? text.slice(1) : text;
}

type Item = { readonly token: IToken; readonly kind: 'token' | 'comment' | 'doc' };

function mergeByOffset(tokens: readonly IToken[], comments: readonly IToken[], docs: readonly IToken[]): Item[] {
  const items: Item[] = [
    ...tokens.map((token) => ({ token, kind: 'token' as const })),
    ...comments.map((token) => ({ token, kind: 'comment' as const })),
    ...docs.map((token) => ({ token, kind: 'doc' as const })),
  ];
  return items.sort((a, b) => a.token.startOffset - b.token.startOffset);
}

function lastLine(run: DocRun): number {
  return run.tokens[run.tokens.length - 1]!.startLine!;
}

export class DocComments {
  /** Runs by the offset of the token they document. */
  private readonly runsByTarget = new Map<number, DocRun>();
  private readonly runs: DocRun[] = [];

  constructor(tokens: readonly IToken[], comments: readonly IToken[], docs: readonly IToken[]) {
    if (docs.length > 0) this.collect(mergeByOffset(tokens, comments, docs));
  }

  private collect(items: readonly Item[]): void {
    let current: DocRun | undefined;
    items.forEach(({ token, kind }, index) => {
      const previous = items[index - 1]?.token;
      const aloneOnLine = previous === undefined || previous.endLine! < token.startLine!;
      const nextLine = current !== undefined && token.startLine === lastLine(current) + 1;
      if (kind === 'doc' && current && aloneOnLine && nextLine) {
        current.tokens.push(token);
        return;
      }
      if (kind === 'token' && current && nextLine) this.runsByTarget.set(token.startOffset, current);
      if (kind !== 'doc') {
        current = undefined;
        return;
      }
      const run: DocRun = { tokens: [token], taken: false };
      this.runs.push(run);
      current = aloneOnLine ? run : undefined;
    });
  }

  /** The documentation of the node whose first token starts at `offset`, if any. */
  take(offset: number | undefined): string | undefined {
    const run = offset === undefined ? undefined : this.runsByTarget.get(offset);
    if (run === undefined) return undefined;
    run.taken = true;
    return run.tokens.map(docLine).join('\n');
  }

  /** The `///` lines that documented nothing; call after the tree is built. */
  leftovers(): IToken[] {
    return this.runs.filter((run) => !run.taken).flatMap((run) => run.tokens);
  }
}
