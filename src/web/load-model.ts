/**
 * A page's model: compiled from `.seg` texts bundled with the page (so the page gets the
 * compiler's full size space, `where` clauses included, exactly as the CLI does) and weights
 * fetched over HTTP in the tfjs format, checked against the model before any tensor is made.
 */
import { type CompiledModel, compileSource, hasErrors } from '../compiler/compile.js';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { SegModel, weightDeclarations } from '../runtime/model.js';
import { type WeightsStore, fetchStore, loadWeightsFromStore, MODEL_JSON } from '../runtime/weights.js';
import { memoryHost } from './memory-host.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export interface BundledSources {
  /** The path of the entry `.seg` file among `files`, e.g. `examples/deeplabv3plus_small.seg`. */
  readonly entry: string;
  /** Path → text for the entry file, the files it imports, and `std/*.seg`. */
  readonly files: Readonly<Record<string, string>>;
  /** Which model of the entry file; the first one when absent. */
  readonly model?: string;
}

export interface WebModel {
  readonly model: SegModel;
  readonly compiled: CompiledModel;
  /** Who wrote the weights (model.json's `generatedBy`), to show whether they are trained. */
  readonly weightsOrigin: string;
}

/** Compiles the bundled entry; any error is thrown as a DiagnosticError holding every diagnostic. */
export function compileBundled(sources: BundledSources): CompiledModel {
  const text = sources.files[sources.entry];
  if (text === undefined) {
    throw diagnosticError(codes.importNotFound, `cannot find the file \`${sources.entry}\` among the bundled sources`, {
      hint: `bundled: ${Object.keys(sources.files).join(', ')}`,
      file: sources.entry,
    });
  }
  const options = sources.model ? { model: sources.model } : {};
  const result = compileSource(text, sources.entry, options, memoryHost(sources.files));
  if (hasErrors(result.diagnostics)) throw new DiagnosticError([...result.diagnostics]);
  const compiled = result.models.find((model) => model.graph);
  if (!compiled)
    throw diagnosticError(codes.noModel, `\`${sources.entry}\` declares no model`, {
      hint: 'bundle a file with a `model` declaration',
      file: sources.entry,
    });
  return compiled;
}

/** A store that remembers model.json's text as it passes through, for `generatedBy`. */
function recordingStore(inner: WeightsStore): { store: WeightsStore; modelJson: () => string | undefined } {
  let text: string | undefined;
  const store: WeightsStore = {
    locate: (name) => inner.locate(name),
    read: async (name) => {
      const bytes = await inner.read(name);
      if (name === MODEL_JSON && bytes) text = new TextDecoder().decode(bytes);
      return bytes;
    },
  };
  return { store, modelJson: () => text };
}

function originOf(modelJson: string | undefined): string {
  try {
    const parsed = JSON.parse(modelJson ?? '{}') as { generatedBy?: unknown };
    return typeof parsed.generatedBy === 'string' ? parsed.generatedBy : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Compiles the model and loads its weights from `weightsUrl` (the directory holding model.json). */
export async function loadWebModel(sources: BundledSources, weightsUrl: string | URL): Promise<WebModel> {
  const compiled = compileBundled(sources);
  const graph = compiled.graph!;
  const expected = weightDeclarations(graph).map((d) => ({
    name: d.name,
    shape: d.shape,
    dtype: d.dtype,
    declaredAt: d.declaredAt,
  }));
  const { store, modelJson } = recordingStore(fetchStore(weightsUrl));
  const tensors = await loadWeightsFromStore(store, expected);
  try {
    return {
      model: SegModel.fromTensors(graph, compiled.sizes, tensors),
      compiled,
      weightsOrigin: originOf(modelJson()),
    };
  } finally {
    for (const tensor of tensors.values()) tensor.dispose();
  }
}
