/**
 * Every diagnostic code of segc, in one table: its code, severity, a one-line title and the
 * anchor of its entry in docs/diagnostics.md. Call sites name a code by its key
 * (`codes.unknownName`), never by its string. A code never changes meaning once published: a new
 * meaning gets a new code.
 */
import type { Severity } from './diagnostic.js';

export interface DiagnosticKind {
  readonly code: string;
  readonly severity: Severity;
  readonly title: string;
  /** The id of the code's row in docs/diagnostics.md (`docs/diagnostics.md#e0210`). */
  readonly anchor: string;
}

function kind<C extends string>(code: C, severity: Severity, title: string): DiagnosticKind & { readonly code: C } {
  return { code, severity, title, anchor: code.toLowerCase() };
}

export const DIAGNOSTICS = {
  // Syntax (E01xx)
  unexpectedCharacter: kind('E0101', 'error', 'unexpected character'),
  unterminatedString: kind('E0102', 'error', 'unterminated string'),
  unterminatedComment: kind('E0103', 'error', 'unterminated block comment'),
  badEscape: kind('E0104', 'error', 'invalid escape sequence in a string'),
  malformedNumber: kind('E0105', 'error', 'malformed number'),
  semicolon: kind('E0106', 'error', '`;` used as a separator'),
  fatArrow: kind('E0107', 'error', '`=>` used instead of `->`'),
  singleQuotes: kind('E0108', 'error', 'string in single quotes'),
  nestingTooDeep: kind('E0109', 'error', 'brackets or operators nested too deeply'),
  unexpectedToken: kind('E0110', 'error', 'unexpected token'),
  missingEquals: kind('E0111', 'error', 'missing `=`'),
  keywordAsName: kind('E0112', 'error', 'keyword used as a name'),
  assignmentInWhere: kind('E0113', 'error', '`=` where `==` was meant in a `where` clause'),
  unclosedBracket: kind('E0114', 'error', 'missing closing bracket'),
  expectedExpression: kind('E0115', 'error', 'expected an expression'),
  expectedStatement: kind('E0116', 'error', 'expected a statement'),
  expectedDeclaration: kind('E0117', 'error', 'expected a declaration'),
  expectedName: kind('E0118', 'error', 'expected a name'),
  expectedStage: kind('E0119', 'error', 'expected a pipeline stage'),
  unmatchedBracket: kind('E0120', 'error', 'closing bracket without an opening one'),
  numberOutOfRange: kind(
    'E0121',
    'error',
    'number out of range (an integer beyond 2^53 - 1, or a float that is not finite)',
  ),
  parserFailure: kind('E0199', 'error', 'internal parser failure'),
  // Names, calls, statements and inputs (E02xx)
  importNotFound: kind('E0201', 'error', 'an imported file does not exist'),
  importCycle: kind('E0202', 'error', 'an import cycle'),
  importedNameMissing: kind('E0203', 'error', 'an imported name is not declared in that file'),
  importClash: kind('E0204', 'error', 'an import clashes with a declaration of the same name'),
  duplicateDeclaration: kind('E0205', 'error', 'two blocks or models share a name in one file'),
  duplicateParameter: kind('E0206', 'error', 'a parameter list repeats a name'),
  duplicateBinding: kind('E0207', 'error', 'a name is bound twice in one scope'),
  unknownType: kind('E0208', 'error', 'unknown parameter type'),
  usedBeforeLet: kind('E0209', 'error', 'a name is used before its `let`'),
  unknownName: kind('E0210', 'error', 'unknown name'),
  unknownCallee: kind('E0211', 'error', 'unknown block or operation'),
  calleeAsValue: kind('E0212', 'error', 'a block or operation used as a value'),
  valueCalled: kind('E0213', 'error', 'a value called like a block'),
  modelCalled: kind('E0214', 'error', 'a model called like a block'),
  noSuchModel: kind('E0215', 'error', '`--model` names no model of the file'),
  noModel: kind('E0216', 'error', 'a file that declares no model is loaded or bundled'),
  unknownArgument: kind('E0220', 'error', 'a named argument that the callee does not have'),
  repeatedArgument: kind('E0221', 'error', 'an argument given twice'),
  tooManyArguments: kind('E0222', 'error', 'too many positional arguments'),
  missingArgument: kind('E0223', 'error', 'a required argument is missing'),
  wrongArgumentType: kind('E0224', 'error', 'an argument of the wrong type'),
  attributeOutOfRange: kind('E0230', 'error', 'an attribute out of range for its operation'),
  endlessRecursion: kind('E0240', 'error', 'blocks call each other without end'),
  missingModelParameter: kind('E0241', 'error', 'a model parameter without a default and no `--param`'),
  unknownModelParameter: kind('E0242', 'error', '`--param` names no parameter of the model'),
  missingReturn: kind('E0250', 'error', 'a block without `return`'),
  destructuringCount: kind('E0251', 'error', '`let (a, b) = ...` with the wrong number of values'),
  inputInBlock: kind('E0252', 'error', '`input`/`output` inside a block'),
  returnInModel: kind('E0253', 'error', '`return` inside a model'),
  noOutput: kind('E0254', 'error', 'a model without an output'),
  outputNotTensor: kind('E0255', 'error', 'an output that is not a tensor'),
  statementAfterReturn: kind('E0256', 'error', 'statements after `return`, or several returns'),
  noInput: kind('E0257', 'error', 'a model without an input'),
  evaluationFailed: kind('E0260', 'error', 'a compile-time expression failed'),
  comprehensionOverNonList: kind('E0261', 'error', 'a comprehension over something that is not a list'),
  conditionNotBool: kind('E0262', 'error', 'a condition that is not a bool'),
  tensorArithmetic: kind('E0263', 'error', 'arithmetic on tensors'),
  indexingNonList: kind('E0264', 'error', 'indexing something that is not a list'),
  indexOutOfRange: kind('E0265', 'error', 'an index out of range'),
  badRepeatCount: kind('E0266', 'error', '`repeat` with a count that is not an int ≥ 0'),
  inputDependentComparison: kind('E0267', 'error', 'a comparison of a size that depends on the input'),
  unknownAnnotation: kind('E0270', 'error', 'unknown annotation'),
  unknownElementType: kind('E0280', 'error', 'unknown element type in an input'),
  badInputSize: kind('E0281', 'error', 'an input size that is neither a symbol nor an int ≥ 1'),
  constraintNotCondition: kind('E0282', 'error', 'a `where` constraint that is not a condition'),
  constraintWithoutSymbol: kind('E0283', 'error', 'a `where` constraint that mentions no size symbol'),
  fixedSizeBreaksConstraint: kind('E0284', 'error', 'a size fixed from the command line breaks a `where` constraint'),
  unsatisfiableConstraints: kind('E0285', 'error', '`where` clauses that no size satisfies'),
  channelsFirstInput: kind('W0286', 'warning', 'an input that looks channels-first'),
  unknownInputAnnotation: kind('E0287', 'error', 'an input annotation other than `@preprocess`'),
  badPreprocessing: kind('E0288', 'error', 'a `@preprocess` argument that is unknown or has a bad value'),
  unusedLet: kind('W0290', 'warning', 'a `let` that is never used'),
  unusedParameter: kind('W0291', 'warning', 'a block parameter that is never used'),
  // Shapes and architecture lints (E03xx)
  shapeRuleFailed: kind('E0301', 'error', 'a shape rule failed'),
  undecidedSizes: kind('W0302', 'warning', 'two sizes that can be neither proved equal nor refuted'),
  asppRates: kind('W0310', 'warning', 'ASPP rates that belong to another output stride'),
  outputSizeChanged: kind('W0311', 'warning', "a 4-D output whose spatial size is not the input's"),
  ninHeadChannels: kind('W0312', 'warning', 'a NIN head whose channel count is not the class count'),
  // Weights and model inputs (E04xx)
  weightsNotFound: kind('E0400', 'error', 'no model.json where the weights were looked for'),
  malformedManifest: kind('E0401', 'error', 'model.json is not JSON or lacks the tfjs / segc fields'),
  missingWeight: kind('E0402', 'error', 'a weight the model declares is missing'),
  extraWeight: kind('E0403', 'error', 'a weight the model does not declare'),
  wrongShape: kind('E0404', 'error', 'a weight of the wrong shape'),
  wrongDtype: kind('E0405', 'error', 'a weight of the wrong dtype'),
  missingShard: kind('E0406', 'error', 'a shard named in model.json is absent'),
  wrongShardSize: kind('E0407', 'error', 'a shard of the wrong size'),
  checksumMismatch: kind('E0408', 'error', "a shard whose SHA-256 differs from model.json's"),
  duplicateWeight: kind('E0409', 'error', 'a weight name twice in model.json'),
  weightsNotWritten: kind('E0410', 'error', 'weights could not be written'),
  badWeightValues: kind('E0411', 'error', 'a weight with NaN or infinite values, or a negative batch-norm variance'),
  weightsRenamed: kind('E0412', 'error', 'weights saved under names that a rename in the .seg file changed'),
  ambiguousRename: kind('E0413', 'error', 'renamed layers of equal structure that cannot be paired'),
  missingInput: kind('E0420', 'error', 'no tensor given for a model input'),
  wrongInputRank: kind('E0421', 'error', 'an input tensor of the wrong rank'),
  wrongInputSize: kind('E0422', 'error', 'an input tensor of the wrong size'),
  inputBreaksConstraint: kind('E0423', 'error', 'an input tensor whose sizes break a `where` constraint'),
  inputUnusable: kind('E0424', 'error', 'an input that is not a usable tensor, or a disposed model'),
  // Backends and kernels (E05xx)
  backendUnavailable: kind('E0501', 'error', 'a requested backend cannot start'),
  strideWithDilation: kind('E0510', 'error', 'dilation > 1 together with stride > 1'),
  inputSmallerThanKernel: kind('E0511', 'error', "an input smaller than the dilated kernel under 'valid' padding"),
  // Images and output files (E06xx)
  imageNotFound: kind('E0601', 'error', 'the image file cannot be read'),
  imageFormatUnsupported: kind('E0602', 'error', 'the image is not a PNG or JPEG'),
  imageCorrupt: kind('E0603', 'error', 'the image does not decode'),
  fileNotWritten: kind('E0604', 'error', 'an output file could not be written'),
  imageSizeRefused: kind('E0605', 'error', 'an image beyond the size limits'),
  tensorUnreadable: kind('E0606', 'error', 'a tensor file cannot be read'),
  // IR files (E07xx)
  badIrFile: kind('E0701', 'error', 'an IR JSON file that is malformed or of an unknown version'),
  // Data sets and metrics (E08xx)
  datasetNotFound: kind('E0801', 'error', 'the data set folder does not exist'),
  datasetLayoutUnknown: kind('E0802', 'error', 'neither `images/` nor class folders'),
  badMetadata: kind('E0803', 'error', 'invalid `classes.json`, `boxes.json` or `labels.json`'),
  classNotListed: kind('E0804', 'error', 'a class folder not listed in `classes.json`'),
  unreadableImage: kind('E0811', 'error', 'an image that cannot be read or decoded'),
  missingMask: kind('E0812', 'error', 'an image without its mask'),
  unreadableMask: kind('E0813', 'error', 'a mask that cannot be read or decoded'),
  maskSizeMismatch: kind('E0814', 'error', 'a mask whose size differs from its image'),
  maskClassOutOfRange: kind('E0815', 'error', 'a mask class outside the class list'),
  badBox: kind('E0816', 'error', 'a bad box'),
  batchSizeMismatch: kind('E0821', 'error', 'samples of different sizes in one batch'),
  dataBadOption: kind('E0831', 'error', 'an invalid generator or augmentation option'),
  outputExists: kind('E0832', 'error', 'the output folder exists'),
  datasetNotWritten: kind('E0833', 'error', 'the data set could not be written'),
  mnistUnavailable: kind('E0834', 'error', 'the MNIST digits cannot be read'),
  metricLengthMismatch: kind('E0850', 'error', 'metric inputs of different lengths'),
  metricClassOutOfRange: kind('E0851', 'error', 'a class index out of range in a metric'),
  metricBadCount: kind('E0852', 'error', 'a count, size or k that is not a positive integer'),
  metricNotANumber: kind('E0853', 'error', 'a map that holds NaN'),
  incompatibleMatrices: kind('E0854', 'error', 'confusion matrices that cannot be merged'),
  thresholdOutOfRange: kind('E0855', 'error', 'a threshold outside its range'),
  // Explanations (E09xx)
  unknownOutput: kind('E0901', 'error', 'no output of that name to explain'),
  nothingToExplain: kind('E0902', 'error', 'no output that can be explained'),
  badTarget: kind('E0903', 'error', 'a target layer that cannot be used'),
  explainClassOutOfRange: kind('E0904', 'error', 'a class to explain out of range'),
  methodUnavailable: kind('E0905', 'error', "a method the model's structure does not allow"),
  badRegion: kind('E0906', 'error', 'a region that does not fit the output'),
  explainBadOption: kind('E0907', 'error', 'a bad explanation option'),
  explainShapeMismatch: kind('E0908', 'error', 'ACoL labels and logits that do not fit'),
  // Training, evaluation and pseudo-masks (E10xx)
  unknownTask: kind('E1001', 'error', 'a model that is neither a segmentation nor a classification model'),
  dataDoesNotFitTask: kind('E1002', 'error', 'data that lack what the task needs'),
  classCountMismatch: kind('E1003', 'error', "a data set of another class count than the model's"),
  inputDoesNotFit: kind('E1004', 'error', "images that cannot be brought to the model's input"),
  trainBadOption: kind('E1011', 'error', 'a bad training or evaluation option'),
  lossNotFinite: kind('E1012', 'error', 'a loss that became NaN or infinite'),
  badCheckpoint: kind('E1021', 'error', 'no checkpoint to resume, or one that does not fit'),
  // Code generation (E11xx)
  opNotGeneratable: kind('E1101', 'error', 'an op that cannot be generated as tfjs code'),
  fileClash: kind('E1102', 'error', 'two generated files with the same name'),
  opNotInPytorch: kind('E1103', 'error', 'an op without a PyTorch lowering'),
  pytorchNameClash: kind('E1104', 'error', 'a layer path that cannot name a PyTorch submodule'),
  // The browser embedding (E12xx)
  notSegmentationModel: kind('E1201', 'error', 'a bundled model without a 4-D float output'),
  // segc import (E13xx)
  importUnreadable: kind('E1301', 'error', 'a source model that cannot be read'),
  importUnsupportedLayer: kind('E1302', 'error', 'a layer without an exact equivalent in .seg'),
  importInconsistent: kind('E1303', 'error', 'a generated .seg that does not compile or disagrees with the source'),
  // ONNX (E18xx)
  onnxUnsupported: kind('E1801', 'error', 'an op or setting without an ONNX form at opset 17'),
  onnxRuntimeMissing: kind('E1802', 'error', '`--backend onnx` without onnxruntime-node'),
  onnxNoExplanation: kind(
    'E1803',
    'error',
    'an explanation ONNX Runtime cannot make (an op without a derivative there)',
  ),
} as const;

/**
 * Codes that were published but are never raised. They stay listed (and documented) so that no
 * later diagnostic reuses them with another meaning.
 */
export const RETIRED_CODES: Readonly<Record<string, string>> = {
  E0805: 'a data set with no usable sample: an empty data set is not refused when it is opened',
  E1005: 'a model without a class map for CAM-based outputs: reported as E0905 by the explanation',
};

export type DiagnosticName = keyof typeof DIAGNOSTICS;

/** The code string of each diagnostic, by name: `codes.unknownName` is `'E0210'`. */
export const codes = Object.fromEntries(Object.entries(DIAGNOSTICS).map(([name, entry]) => [name, entry.code])) as {
  readonly [K in DiagnosticName]: (typeof DIAGNOSTICS)[K]['code'];
};

const BY_CODE: ReadonlyMap<string, DiagnosticKind> = new Map(
  Object.values(DIAGNOSTICS).map((entry): [string, DiagnosticKind] => [entry.code, entry]),
);

/** The table entry of a code string, or undefined for a code segc does not have. */
export function diagnosticKind(code: string): DiagnosticKind | undefined {
  return BY_CODE.get(code);
}
