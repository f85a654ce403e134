/**
 * Diagnostic codes raised by the browser embedding. A code never changes meaning once published.
 * E12xx: a model or page set-up the demo page cannot use.
 */
export const WebCode = {
  /** The bundled model has no 4-D float output to read class scores from (it is not a segmentation model). */
  notSegmentationModel: 'E1201',
} as const;

export type WebCodeName = keyof typeof WebCode;
