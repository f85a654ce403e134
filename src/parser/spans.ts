/**
 * Source positions. Lines break at `\n` (so `\r\n` counts once, like the code frames of
 * diagnostics/render.ts); columns are 1-based UTF-16 offsets within the line, as Chevrotain
 * counts them.
 */
import type { IToken } from 'chevrotain';
import type { Position, Span } from '../diagnostics/diagnostic.js';

/** Maps offsets to line and column by binary search over the line starts. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly source: string,
    readonly file: string,
  ) {
    for (let offset = source.indexOf('\n'); offset !== -1; offset = source.indexOf('\n', offset + 1)) {
      this.lineStarts.push(offset + 1);
    }
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.source.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle]! <= clamped) low = middle;
      else high = middle - 1;
    }
    return { offset: clamped, line: low + 1, column: clamped - this.lineStarts[low]! + 1 };
  }

  /** The span of the half-open range [start, end). */
  span(start: number, end: number): Span {
    return { file: this.file, start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /** The span of a token as lexed; undefined for a token inserted by error recovery. */
  tokenSpan(token: IToken): Span | undefined {
    if (!isRealToken(token)) return undefined;
    return {
      file: this.file,
      start: { offset: token.startOffset, line: token.startLine!, column: token.startColumn! },
      end: { offset: token.endOffset! + 1, line: token.endLine!, column: token.endColumn! + 1 },
    };
  }

  /** The empty span at the end of the source, where a missing closing token belongs. */
  get endSpan(): Span {
    return this.span(this.source.length, this.source.length);
  }
}

/** False for tokens invented by error recovery and for the end-of-file token. */
export function isRealToken(token: IToken | undefined): token is IToken {
  return (
    token !== undefined &&
    token.isInsertedInRecovery !== true &&
    Number.isFinite(token.startOffset) &&
    Number.isFinite(token.endOffset) &&
    token.tokenType.name !== 'EOF'
  );
}
