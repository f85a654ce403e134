/** Parsed command lines (commander fills them in `main.ts`), usage errors that exit 2, and option values. */

export class UsageError extends Error {
  /** The commander command the error belongs to, when it is known where it is raised. */
  constructor(
    message: string,
    readonly command?: unknown,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Parsed {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | string[] | undefined>;
}

/** `--input 513,513` → [513, 513]. */
export function parseSize(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(/[,x×]/).map((p) => Number(p.trim()));
  if (parts.length === 1) parts.push(parts[0]!);
  if (parts.length !== 2 || !parts.every((p) => Number.isInteger(p) && p >= 1)) {
    throw new UsageError(`--input expects HEIGHT,WIDTH (positive integers), got \`${text}\``);
  }
  return [parts[0]!, parts[1]!];
}

/** `--param classes=4 --param rates=[6,12,18]` → values (JSON syntax for lists and strings). */
export function parseParams(items: readonly string[] | undefined): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param expects NAME=VALUE, got \`${item}\``);
    const raw = item.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* a bare word is a string, like `mode=bilinear` */
    }
    params[item.slice(0, eq)] = value;
  }
  return params;
}
