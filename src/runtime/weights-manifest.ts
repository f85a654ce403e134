/**
 * model.json for weights: the tfjs weights format (`weightsManifest` groups of shard paths and
 * `{ name, shape, dtype }` entries, readable by tf.io tooling) plus a `segc` section that
 * records each shard's byte length and SHA-256, so that damage is found before anything loads.
 * This file parses and checks the JSON and compares it with what the model declares.
 */
import type { Diagnostic, Span } from '../diagnostics/diagnostic.js';
import { formatLocation } from '../diagnostics/render.js';
import { MAX_WEIGHTS_BYTES } from '../limits.js';
import { fileSpan } from '../diagnostics/error.js';
import { codes } from '../diagnostics/codes.js';
import {
  layerStructure,
  matchRenamedLayers,
  renamedWeights,
  splitWeightName,
  type RenameMatch,
} from './weights-rename.js';

export type WeightDtype = 'float32' | 'int32';

export interface ExpectedWeight {
  name: string;
  shape: readonly number[];
  dtype: WeightDtype;
  declaredAt?: Span;
}

export interface ManifestEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: WeightDtype;
}

export interface ManifestGroup {
  readonly paths: string[];
  readonly weights: ManifestEntry[];
}

export interface SegcSection {
  readonly format: 1;
  readonly model: string;
  readonly sha256: Record<string, string>;
  readonly byteLength: Record<string, number>;
  /**
   * The layers (weight names less their role) in a topological walk of the weight-owning
   * nodes of the graph the weights were saved from, when the writer knew it. Lets loading pair
   * renamed layers of equal structure by position (see `weights-rename.ts`).
   */
  readonly layers?: string[];
}

export interface WeightsModelJson {
  readonly format: 'segc-weights';
  readonly generatedBy: string;
  readonly weightsManifest: ManifestGroup[];
  readonly segc: SegcSection;
}

export const BYTES_PER_ELEMENT = 4;

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isShape = (value: unknown): value is number[] =>
  Array.isArray(value) &&
  value.length <= 8 &&
  value.every((dimension) => Number.isSafeInteger(dimension) && dimension >= 0);

/**
 * A shard path must name a file inside the folder of model.json (or under its URL): relative,
 * made of plain names, no `.` or `..` segment, no scheme, host, query or backslash. Anything
 * else could make the loader read another file on the machine or fetch from another host.
 */
const SHARD_PATH = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

export function isConfinedShardPath(path: string): boolean {
  return (
    path.length <= 255 &&
    SHARD_PATH.test(path) &&
    !path.split('/').some((segment) => segment === '.' || segment === '..')
  );
}

function shownPath(path: string): string {
  return JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}…` : path);
}

/** The first structural problem of a parsed model.json, or undefined when it is well formed. */
function structuralProblem(json: unknown): string | undefined {
  if (!isRecord(json)) return 'the top level is not an object';
  if (!Array.isArray(json.weightsManifest)) return '`weightsManifest` is missing or not a list';
  for (const [index, group] of json.weightsManifest.entries()) {
    if (
      !isRecord(group) ||
      !Array.isArray(group.paths) ||
      !group.paths.every((p) => typeof p === 'string' && p.length > 0)
    )
      return `weightsManifest[${index}].paths is not a list of file names`;
    if (!Array.isArray(group.weights)) return `weightsManifest[${index}].weights is not a list`;
    const outside = (group.paths as string[]).find((path) => !isConfinedShardPath(path));
    if (outside !== undefined)
      return `weightsManifest[${index}].paths has ${shownPath(outside)}, which is not a file name inside the weights folder`;
    for (const entry of group.weights) {
      if (!isRecord(entry) || typeof entry.name !== 'string' || !isShape(entry.shape))
        return `weightsManifest[${index}] has an entry without a name and a shape`;
      if (entry.dtype !== 'float32' && entry.dtype !== 'int32')
        return `weight \`${entry.name}\` has dtype ${JSON.stringify(entry.dtype)}; segc reads float32 and int32`;
      if ('quantization' in entry) return `weight \`${entry.name}\` is quantized; segc reads unquantized weights only`;
    }
  }
  const segc = json.segc;
  if (!isRecord(segc) || segc.format !== 1) return 'the `segc` section (format 1) is missing';
  if (!isRecord(segc.sha256) || !isRecord(segc.byteLength)) return '`segc.sha256` or `segc.byteLength` is missing';
  if (segc.layers !== undefined && !(Array.isArray(segc.layers) && segc.layers.every((l) => typeof l === 'string')))
    return '`segc.layers` is not a list of layer names';
  return shardRecordProblem(json.weightsManifest as ManifestGroup[], segc as unknown as SegcSection);
}

function shardRecordProblem(groups: readonly ManifestGroup[], segc: SegcSection): string | undefined {
  let total = 0;
  for (const group of groups) {
    for (const path of group.paths) {
      if (
        !Object.hasOwn(segc.sha256, path) ||
        typeof segc.sha256[path] !== 'string' ||
        !/^[0-9a-f]{64}$/.test(segc.sha256[path]!)
      )
        return `no SHA-256 recorded for shard ${path}`;
      if (
        !Object.hasOwn(segc.byteLength, path) ||
        !Number.isSafeInteger(segc.byteLength[path]) ||
        segc.byteLength[path]! < 0
      )
        return `no byte length recorded for shard ${path}`;
      total += segc.byteLength[path]!;
    }
  }
  return total > MAX_WEIGHTS_BYTES
    ? `its shards would hold ${total} bytes, more than the limit of ${MAX_WEIGHTS_BYTES}`
    : undefined;
}

/**
 * Whether each group's entries account for exactly the bytes of its shards. Checked after the
 * entries were compared with the model, so that a removed entry is reported by its name first.
 */
export function byteCountProblem(json: WeightsModelJson, source: string): Diagnostic | undefined {
  for (const [index, group] of json.weightsManifest.entries()) {
    const declared = group.weights.reduce((sum, entry) => sum + elementCount(entry.shape) * BYTES_PER_ELEMENT, 0);
    const recorded = group.paths.reduce((sum, path) => sum + json.segc.byteLength[path]!, 0);
    if (declared !== recorded)
      return malformed(
        source,
        `weightsManifest[${index}] declares ${declared} bytes of weights but its shards hold ${recorded}`,
      );
  }
  return undefined;
}

/** Parses model.json text; a DiagnosticError-ready list of problems on failure. */
export function parseWeightsModelJson(text: string, source: string): WeightsModelJson | Diagnostic {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return malformed(source, `is not valid JSON (${(error as Error).message})`);
  }
  const problem = structuralProblem(json);
  return problem ? malformed(source, problem) : (json as WeightsModelJson);
}

function malformed(source: string, problem: string): Diagnostic {
  return {
    code: codes.malformedManifest,
    severity: 'error',
    span: fileSpan(source),
    message: `${source} is not a segc weights file: ${problem}`,
    hint: 'save the weights again with segc, or restore the file from a backup',
  };
}

const shapeText = (shape: readonly number[]) => `[${shape.join(',')}]`;

function declared(weight: ExpectedWeight): { where: string; span?: Span; related?: Diagnostic['related'] } {
  if (!weight.declaredAt) return { where: '' };
  return { where: ` at ${formatLocation(weight.declaredAt)}`, span: weight.declaredAt };
}

function weightProblem(
  code: string,
  weight: ExpectedWeight,
  message: string,
  hint: string,
  source: string,
): Diagnostic {
  const location = declared(weight);
  return {
    code,
    severity: 'error',
    message: message + location.where,
    hint,
    span: location.span ?? fileSpan(source),
    ...(location.span ? { related: [{ span: fileSpan(source), message: 'in this weights file' }] } : {}),
  };
}

/** Every difference between the file's weights and the model's, each as one diagnostic. */
export function compareWithModel(
  json: WeightsModelJson,
  expected: readonly ExpectedWeight[],
  source: string,
): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const inFile = new Map<string, ManifestEntry>();
  for (const entry of json.weightsManifest.flatMap((group) => group.weights)) {
    if (inFile.has(entry.name)) {
      problems.push({
        code: codes.duplicateWeight,
        severity: 'error',
        span: fileSpan(source),
        message: `weight \`${entry.name}\` appears twice in ${source}`,
        hint: 'save the weights again with segc',
      });
    }
    inFile.set(entry.name, entry);
  }
  const wanted = new Set(expected.map((weight) => weight.name));
  const match = matchRenamedLayers(
    [...inFile.values()],
    expected,
    // Absent for a file without segc's section (safetensors).
    (json.segc as SegcSection | undefined)?.layers,
  );
  const moved = movedNames(match);
  problems.push(...renameProblems(match, expected, source));
  for (const weight of expected) {
    const entry = inFile.get(weight.name);
    if (moved.has(weight.name)) continue;
    if (!entry) {
      problems.push(
        weightProblem(
          codes.missingWeight,
          weight,
          `weight \`${weight.name}\` (shape ${shapeText(weight.shape)}) is missing from ${source}; the model declares it`,
          'the weights belong to a different model or version; train or convert them for this model',
          source,
        ),
      );
    } else if (shapeText(entry.shape) !== shapeText(weight.shape)) {
      problems.push(
        weightProblem(
          codes.wrongShape,
          weight,
          `weight \`${weight.name}\` has shape ${shapeText(entry.shape)} in the file but the model declares ${shapeText(weight.shape)}`,
          'the model changed since these weights were saved; retrain, or restore the matching .seg file',
          source,
        ),
      );
    } else if (entry.dtype !== weight.dtype) {
      problems.push(
        weightProblem(
          codes.wrongDtype,
          weight,
          `weight \`${weight.name}\` has dtype ${entry.dtype} in the file but the model declares ${weight.dtype}`,
          'save the weights again from this model',
          source,
        ),
      );
    }
  }
  for (const name of inFile.keys()) {
    if (!wanted.has(name) && !moved.has(name)) {
      problems.push({
        code: codes.extraWeight,
        severity: 'error',
        span: fileSpan(source),
        message: `weight \`${name}\` in ${source} is not declared by the model`,
        hint: 'the weights belong to a different model or version, or a layer was removed from the .seg file',
      });
    }
  }
  return problems;
}

/** At most this many layers are listed in a message; the rest are counted. */
export const MAX_LISTED_LAYERS = 10;

/** Whether a weight name, old or new, is accounted for by a rename or an ambiguity. */
function movedNames(match: RenameMatch): { has(name: string): boolean } {
  const names = new Set<string>();
  for (const [from, to] of renamedWeights(match.renames)) names.add(from).add(to);
  const layers = new Set(match.ambiguous.flatMap((group) => [...group.saved, ...group.model]));
  return { has: (name) => names.has(name) || layers.has(splitWeightName(name).layer) };
}

function listed(lines: readonly string[]): string {
  const shown = lines.slice(0, MAX_LISTED_LAYERS).map((line) => `\n  ${line}`);
  const more = lines.length - MAX_LISTED_LAYERS;
  return shown.join('') + (more > 0 ? `\n  and ${more} more` : '');
}

/** The .seg file to name in a hint: where the first weight outside the standard library is declared. */
function modelFile(expected: readonly ExpectedWeight[]): string {
  const file = expected.find((w) => w.declaredAt && !/(^|[/\\])std[/\\]/.test(w.declaredAt.file))?.declaredAt?.file;
  return file ?? 'MODEL.seg';
}

/** The weights location as given to --weights: the folder of model.json, or a safetensors file. */
function weightsLocation(source: string): string {
  return source.replace(/[/\\]model\.json$/, '');
}

/** E0412 for layers that moved, E0413 for layers of equal structure that cannot be told apart. */
function renameProblems(match: RenameMatch, expected: readonly ExpectedWeight[], source: string): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const weights = weightsLocation(source);
  const command = `segc weights migrate ${modelFile(expected)} --weights ${weights} -o ${weights}-renamed`;
  if (match.renames.length > 0) {
    const count = match.renames.length;
    problems.push({
      code: codes.weightsRenamed,
      severity: 'error',
      span: fileSpan(source),
      message:
        `${count} layer${count === 1 ? '' : 's'} of ${source} ${count === 1 ? 'is' : 'are'} saved under ${count === 1 ? 'a name' : 'names'} the model no longer uses (a \`let\` or block call was renamed):` +
        listed(
          match.renames.map((r) => `renamed: ${r.from || '(top)'} → ${r.to || '(top)'} (${layerStructure(r.weights)})`),
        ),
      hint: source.endsWith('.safetensors')
        ? 'rename the keys where the file was written (e.g. the PyTorch state_dict), or rename the layers back in the .seg file'
        : `write the weights under the new names with \`${command}\` (--dry-run shows the mapping first)`,
    });
  }
  for (const group of match.ambiguous) {
    problems.push({
      code: codes.ambiguousRename,
      severity: 'error',
      span: fileSpan(source),
      message:
        `layers of ${source} and of the model have the same structure (${group.structure}) and nothing tells which is which:` +
        listed([`in the file: ${group.saved.join(', ')}`, `in the model: ${group.model.join(', ')}`]),
      hint: source.endsWith('.safetensors')
        ? 'rename the layers back in the .seg file, or the keys where the file was written'
        : `name the pairs with \`${command} --map OLD=NEW\`, or rename the layers back in the .seg file`,
    });
  }
  return problems;
}
