/**
 * Diagnostic codes raised by `segc import`. A code never changes meaning once published.
 * E13xx: a model file that cannot be read, or a model that .seg cannot represent exactly.
 */
export const ImportCode = {
  /** The source model cannot be read: no model.json, malformed JSON, missing or short shards. */
  unreadable: 'E1301',
  /** A layer (or a setting of one) has no exact equivalent in .seg; nothing is written. */
  unsupportedLayer: 'E1302',
  /** The generated .seg does not compile, or its weights disagree with the source's. */
  inconsistent: 'E1303',
} as const;

export type ImportCodeName = keyof typeof ImportCode;
