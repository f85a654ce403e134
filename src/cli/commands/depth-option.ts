/** `--depth N|all` and `--expand`, shared by `segc summary` and `segc graph`. */
import { FULL_DEPTH } from '../../ir/analysis/depth.js';
import { type Parsed, UsageError } from '../args.js';

/** How deep block calls are expanded: `--expand` is `--depth all`. */
export function parseDepth(parsed: Parsed, fallback: number): number {
  const text = parsed.values.depth as string | undefined;
  if (parsed.values.expand === true) {
    if (text !== undefined) throw new UsageError('give --depth or --expand, not both');
    return FULL_DEPTH;
  }
  if (text === undefined) return fallback;
  if (text === 'all') return FULL_DEPTH;
  const depth = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(depth))
    throw new UsageError(`--depth expects a whole number (0, 1, 2 ...) or \`all\`, got \`${text}\``);
  return depth;
}
