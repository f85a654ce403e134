/**
 * The types that shape rules work with: tensor types in the IR and the context a shape rule
 * checks sizes in. They sit below both the ops and the IR, so that neither imports the other's
 * folder for them.
 */
import type { Dim } from './symbolic.js';
import type { SizeSpace } from './sizes.js';

export type DType = 'f32' | 'i32';

/** The type of a tensor in the IR: NHWC layout for 4-D feature maps. */
export interface TensorType {
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

/** Raised by a shape rule; the checker adds the location and call chain. */
export class ShapeError extends Error {
  constructor(
    message: string,
    /** The argument the problem is about, so the diagnostic can point at it. */
    readonly argument?: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ShapeError';
  }
}

export interface ShapeContext {
  /** Decides equality of symbolic sizes under the model's `where` constraints. */
  readonly sizes: SizeSpace;
  /**
   * Requires two dims to be equal; throws a ShapeError that names the op, what is compared and
   * a concrete size that breaks it, e.g. "with H = 513 the inputs of concat have 132 and 129 rows".
   */
  requireEqual(a: Dim, b: Dim, what: string | ((left: string, right: string) => string), argument?: string): void;
  /**
   * Requires several sizes to be equal in pairs (every axis of a concat), reporting every pair
   * that can differ in one error: "with H = 33, W = 33 the inputs of concat have 16 and 17 rows
   * and 16 and 17 columns".
   */
  requireAllEqual(pairs: readonly EqualityCheck[], argument?: string): void;
  /**
   * Requires every size in `sizes` to be at least 1 (a window that fits in its input). When some
   * allowed input sizes satisfy it, checking goes on over those sizes only, and `error` is
   * reported at the end if no other shape check failed: the sizes that fix that failure (a U-Net
   * concat wants `H % 8 == 0`) usually fix this too. When no allowed size satisfies it, `error`
   * is thrown at once.
   */
  requirePositive(sizes: readonly Dim[], error: (bad: readonly (TooSmall | undefined)[]) => ShapeError): void;
  /** Renders a dim for messages (`H/16`). */
  format(d: Dim): string;
}

/** Two sizes that must agree, and the word for what they measure (`rows`). */
export interface EqualityCheck {
  readonly left: Dim;
  readonly right: Dim;
  readonly word: string;
  /** "the inputs of concat have": the pair's sizes and the word are appended. */
  readonly what: string;
}

/** Sizes of the input at which a size is below 1, and that size's value there. */
export interface TooSmall {
  readonly env: ReadonlyMap<string, number>;
  readonly value: number;
}
