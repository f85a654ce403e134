/**
 * Typed access to an op's evaluated attributes. The elaborator has already checked the types,
 * so a wrong type here is a mistake in segc (InternalError), never a user error. A missing
 * attribute falls back to the param's default, so callers may pass only what they set.
 */
import { InternalError } from '../diagnostics/diagnostic.js';
import type { AttrValue, Attrs, ParamSpec } from './op.js';

export type Pair = readonly [number, number];

export class AttributeReader {
  constructor(
    private readonly op: string,
    private readonly params: readonly ParamSpec[],
    private readonly attrs: Attrs,
  ) {}

  private value(name: string): AttrValue {
    const given = this.attrs[name];
    if (given !== undefined) return given;
    const spec = this.params.find((p) => p.name === name);
    if (!spec) throw new InternalError(`${this.op} has no parameter \`${name}\``);
    if (spec.default === undefined) throw new InternalError(`${this.op}: required attribute \`${name}\` is missing`);
    return spec.default;
  }

  private wrongType(name: string, expected: string, value: AttrValue): never {
    throw new InternalError(`${this.op}: attribute \`${name}\` should be ${expected}, got ${JSON.stringify(value)}`);
  }

  /** Whether the op has a parameter of this name (shared readers serve ops with fewer). */
  declares(name: string): boolean {
    return this.params.some((p) => p.name === name);
  }

  has(name: string): boolean {
    return this.value(name) !== null;
  }

  number(name: string): number {
    const value = this.value(name);
    return typeof value === 'number' ? value : this.wrongType(name, 'a number', value);
  }

  int(name: string): number {
    const value = this.number(name);
    return Number.isInteger(value) ? value : this.wrongType(name, 'an integer', value);
  }

  bool(name: string): boolean {
    const value = this.value(name);
    return typeof value === 'boolean' ? value : this.wrongType(name, 'a boolean', value);
  }

  text(name: string): string {
    const value = this.value(name);
    return typeof value === 'string' ? value : this.wrongType(name, 'a string', value);
  }

  /** An `int2`: a single int means the same value on both axes. */
  pair(name: string): Pair {
    const value = this.value(name);
    if (typeof value === 'number' && Number.isInteger(value)) return [value, value];
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      value.every((v) => typeof v === 'number' && Number.isInteger(v))
    ) {
      return [value[0] as number, value[1] as number];
    }
    return this.wrongType(name, 'an int or a pair of ints', value);
  }

  optionalPair(name: string): Pair | undefined {
    return this.has(name) ? this.pair(name) : undefined;
  }

  ints(name: string): number[] {
    const value = this.value(name);
    if (Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v)))
      return [...(value as number[])];
    return this.wrongType(name, 'a list of ints', value);
  }

  optionalInts(name: string): number[] | undefined {
    return this.has(name) ? this.ints(name) : undefined;
  }
}

/** Checks that every listed attribute is at least `minimum`; an `int2` checks both entries. */
export function requireAtLeast(read: AttributeReader, minimum: number, ...names: string[]): string | undefined {
  for (const name of names) {
    if (!read.has(name)) continue;
    const raw = read.pair(name);
    const bad = raw.find((v) => v < minimum);
    if (bad !== undefined) return `\`${name}\` must be at least ${minimum}, got ${bad}`;
  }
  return undefined;
}
