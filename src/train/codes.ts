/**
 * Diagnostic codes raised by training, evaluation and pseudo-mask generation. A code never
 * changes meaning once published. E100x: the model and the data do not fit together. E101x:
 * options. E102x: checkpoints.
 */
export const TrainCode = {
  /** The model's first output is neither per-pixel logits [N, H, W, C] nor per-image logits [N, C]. */
  unknownTask: 'E1001',
  /** The data set lacks what the task needs (masks for segmentation, labels for classification). */
  dataDoesNotFitTask: 'E1002',
  /** The data set's class count differs from the model's. */
  classCountMismatch: 'E1003',
  /** The images' channels or size cannot be brought to the model's input. */
  inputDoesNotFit: 'E1004',
  /** The model has no class map (no `@classmap`, no GAP → dense head) for CAM-based outputs. */
  noClassMap: 'E1005',
  /** A training or evaluation option has a bad value. */
  badOption: 'E1011',
  /** The loss became NaN or infinite. */
  lossNotFinite: 'E1012',
  /** No checkpoint to resume from, or one that does not fit the run. */
  badCheckpoint: 'E1021',
} as const;

export type TrainCodeName = keyof typeof TrainCode;
