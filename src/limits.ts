/**
 * The limits segc enforces on what it reads, in one place; docs/limits.md explains each one.
 * They are far above what a real network or image needs, and low enough that no input can
 * exhaust memory, overflow the stack or make a check run for minutes.
 */

/** Bytes of a .seg source file. */
export const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/** The largest integer a literal or a compile-time result may have: doubles are exact up to it. */
export const MAX_EXACT_INTEGER = Number.MAX_SAFE_INTEGER;

/** The largest tensor size in a type (`f32[N, 512, 512, 3]`) and magnitude of an int argument of an op. */
export const MAX_SIZE = 1 << 20;

/** The size-checking search tries each symbol up to this value; beyond it an equality is not proved. */
export const MAX_SIZE_SEARCH = 1 << 16;

/** Pixels of an image, judged from its header before anything is decoded (4096 × 4096: a 200 MB float tensor). */
export const MAX_IMAGE_PIXELS = 4096 * 4096;

/** Bytes of an image file read from disk. */
export const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;

/** Bytes of a weights model.json. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** Bytes of all the weight shards of one model.json together. */
export const MAX_WEIGHTS_BYTES = 2 * 1024 * 1024 * 1024 - 1;
