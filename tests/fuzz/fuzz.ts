/**
 * The fuzz suite's common parts: a fixed seed and case count (both overridable for a longer
 * local run: SEGC_FUZZ_SEED, SEGC_FUZZ_SCALE), byte and text mutations, and a per-case time
 * bound. The bound catches hangs, not slowness: it is far above what any case needs.
 */
import { Random } from '../../src/data/random.js';

export const FUZZ_SEED = Number(process.env.SEGC_FUZZ_SEED ?? 14);
const SCALE = Number(process.env.SEGC_FUZZ_SCALE ?? 1);

/** The number of cases a suite runs: `base` in CI, more with SEGC_FUZZ_SCALE. */
export function caseCount(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}

/** A generous bound per case, in milliseconds, that only a hang or a blow-up exceeds. */
export const CASE_TIME_BOUND_MS = 30_000;

export function randomFor(suite: string): Random {
  let hash = FUZZ_SEED;
  for (const character of suite) hash = (Math.imul(hash, 31) + character.charCodeAt(0)) >>> 0;
  return new Random(hash);
}

/** Inputs meant to break number handling, the lexer and the parser. */
export const HOSTILE_TEXT: readonly string[] = [
  '9007199254740993',
  '9007199254740991',
  '1e400',
  '1e-400',
  '0.0000000001',
  '99999999999999999999999999999',
  '2147483648',
  '-2147483649',
  '100000000',
  '0',
  '-0',
  '1e308',
  '4294967296',
  '1.7976931348623157e308',
  'NaN',
  'Infinity',
  '\u0000',
  '\r\n',
  '\r',
  '\t',
  '\uFEFF',
  '\u202E',
  'é',
  '𝔸',
  '😀',
  '\uD800',
  'ǅ',
  '\u00A0',
  'ß',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '->',
  '=>',
  '=',
  '==',
  '+',
  '-',
  '*',
  '/',
  '%',
  '!',
  '?',
  '@',
  '&&',
  '||',
  '"',
  "'",
  '`',
  '\\',
  ';',
  '.',
  'let',
  'model',
  'block',
  'input',
  'output',
  'return',
  'where',
  'for',
  'in',
  'if',
  'repeat',
  'import',
  'from',
  'true',
  'false',
  'conv(8, 3, stride: 100000000)',
  'conv(2147483648, 3)',
  'upsample(factor: 1048576)',
  'pad([1048576])',
  'x -> relu',
  'f32[N, 99999999999999999999, 8, 3]',
  'f32[]',
  'i32[N]',
  '/*',
  '*/',
  '//',
  '///',
];

/** A long run of one pattern: deep brackets, long operator chains, long names and lines. */
export function longText(random: Random): string {
  const length = random.pick([100, 1000, 5000]);
  switch (random.integer(0, 7)) {
    case 0:
      return `${'('.repeat(length)}1${')'.repeat(random.chance(0.5) ? length : 0)}`;
    case 1:
      return Array(length).fill('1').join(' + ');
    case 2:
      return 'a'.repeat(length * 10);
    case 3:
      return ' -> relu'.repeat(length);
    case 4:
      return '-'.repeat(length) + '1';
    case 5:
      return '9'.repeat(random.pick([17, 400, 5000]));
    default:
      return '\n'.repeat(length);
  }
}

/** One random edit of a text: delete, duplicate, swap or insert a hostile piece. */
export function mutateText(text: string, random: Random): string {
  const at = () => random.integer(0, text.length + 1);
  switch (random.integer(0, 8)) {
    case 0: {
      const start = at();
      return text.slice(0, start) + text.slice(start + random.integer(1, 40));
    }
    case 1: {
      const start = at();
      const piece = text.slice(start, start + random.integer(1, 200));
      return text.slice(0, start) + piece + piece + text.slice(start + piece.length);
    }
    case 2: {
      const lines = text.split('\n');
      const [a, b] = [random.integer(0, lines.length), random.integer(0, lines.length)];
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join('\n');
    }
    case 3:
      return text.replace(/\d+/g, (digits) => (random.chance(0.2) ? random.pick(HOSTILE_TEXT.slice(0, 16)) : digits));
    case 4:
      return text.replace(/\n/g, '\r\n');
    case 5: {
      const start = at();
      return text.slice(0, start) + longText(random) + text.slice(start);
    }
    default: {
      const start = at();
      return text.slice(0, start) + random.pick(HOSTILE_TEXT) + text.slice(start);
    }
  }
}

/** One random edit of bytes: flip, set to an extreme, insert, delete or truncate. */
export function mutateBytes(bytes: Uint8Array, random: Random, region = bytes.length): Uint8Array {
  const copy = Array.from(bytes);
  const at = random.integer(0, Math.max(1, Math.min(region, copy.length)));
  switch (random.integer(0, 6)) {
    case 0:
      copy[at] = (copy[at] ?? 0) ^ (1 << random.integer(0, 8));
      break;
    case 1:
      copy[at] = random.pick([0, 0xff, 0x7f, 0x80]);
      break;
    case 2:
      copy.splice(at, 0, ...Array.from({ length: random.integer(1, 8) }, () => random.integer(0, 256)));
      break;
    case 3:
      copy.splice(at, random.integer(1, 8));
      break;
    case 4:
      copy.length = at;
      break;
    default:
      for (let k = 0; k < 4; k++) copy[at + k] = random.integer(0, 256);
  }
  return Uint8Array.from(copy);
}
