/**
 * Diagnostic codes raised by explanations. A code never changes meaning once published.
 * E09xx: what was asked of an explanation does not fit the model or the image.
 */
export const ExplainCode = {
  /** No output of that name, or the output cannot be explained (class indices). */
  unknownOutput: 'E0901',
  /** The model has no output that can be explained. */
  nothingToExplain: 'E0902',
  /** No tensor of that name, or one that cannot be a target layer. */
  badTarget: 'E0903',
  /** A class index outside [0, classes). */
  classOutOfRange: 'E0904',
  /** The method needs a structure the model does not have (CAM without GAP → dense, ACoL without two branches). */
  methodUnavailable: 'E0905',
  /** A region box or mask that does not fit the output. */
  badRegion: 'E0906',
  /** An option value that is not allowed (a threshold outside [0, 1], an unknown method). */
  badOption: 'E0907',
  /** Labels or logits whose shapes do not fit together (ACoL loss). */
  shapeMismatch: 'E0908',
} as const;

export type ExplainCodeName = keyof typeof ExplainCode;
