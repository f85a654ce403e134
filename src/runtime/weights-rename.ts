/**
 * Finds the weights that moved when a `let` or a block call was renamed. Weight names are paths
 * of source names (`enc/aspp/conv/kernel`: layer `enc/aspp/conv`, role `kernel`), so a rename
 * changes every name under it while the layers stay what they were. Layers whose names are all
 * unknown to the other side are matched by structure: the same roles with the same shapes and
 * dtypes (which is what tells a convolution from a dense layer or a batch norm). A layer is
 * paired only when the pairing is forced:
 *
 * 1. it is the only saved layer and the only model layer with its structure;
 * 2. the weights file records the order of its layers (`segc.layers`, a topological walk of the
 *    weight-owning nodes) and both layers stand at the same place in that walk and the model's;
 * 3. a pairing made by 1 or 2 showed that a path prefix was renamed (`features` → `trunk`), and
 *    applying that rename to the saved name gives a model layer of the same structure.
 *
 * Layers of equal structure that none of these tells apart are reported as ambiguous, never
 * paired by guess: loading them into each other's places would run without an error and give
 * wrong outputs. Browser-safe.
 */

/** A weight as a file or a model lists it (`ExpectedWeight` and manifest entries are ones). */
export interface NamedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
}

/** One layer whose weights moved: `from` in the file, `to` in the model. */
export interface LayerRename {
  readonly from: string;
  readonly to: string;
  /** The layer's weights by role, in role order. */
  readonly weights: readonly { readonly role: string; readonly shape: readonly number[] }[];
}

/** Layers of one structure on both sides that cannot be paired without guessing. */
export interface AmbiguousLayers {
  readonly structure: string;
  readonly saved: readonly string[];
  readonly model: readonly string[];
}

export interface RenameMatch {
  readonly renames: readonly LayerRename[];
  readonly ambiguous: readonly AmbiguousLayers[];
}

interface Layer {
  readonly name: string;
  readonly weights: { role: string; shape: readonly number[]; dtype: NamedWeight['dtype'] }[];
}

/** `enc/aspp/conv/kernel` → [`enc/aspp/conv`, `kernel`]; a name without `/` is its own layer. */
export function splitWeightName(name: string): { layer: string; role: string } {
  const cut = name.lastIndexOf('/');
  return cut < 0 ? { layer: '', role: name } : { layer: name.slice(0, cut), role: name.slice(cut + 1) };
}

/** Layers in order of first appearance. */
function layersOf(weights: readonly NamedWeight[]): Layer[] {
  const layers = new Map<string, Layer>();
  for (const weight of weights) {
    const { layer, role } = splitWeightName(weight.name);
    let entry = layers.get(layer);
    if (!entry) layers.set(layer, (entry = { name: layer, weights: [] }));
    entry.weights.push({ role, shape: weight.shape, dtype: weight.dtype });
  }
  for (const layer of layers.values()) layer.weights.sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : 0));
  return [...layers.values()];
}

const shapeText = (shape: readonly number[]) => `[${shape.join(',')}]`;

/** `bias [256], kernel [1,1,256,256]`: what identifies a layer apart from its name. */
export function layerStructure(weights: LayerRename['weights'] | Layer['weights']): string {
  return weights
    .map((w) => `${w.role} ${shapeText(w.shape)}${'dtype' in w && w.dtype !== 'float32' ? ` ${w.dtype}` : ''}`)
    .join(', ');
}

/** The segments of `name` before the trailing ones it shares with `other`. */
function renamedPrefix(from: string, to: string): { from: string; to: string } | undefined {
  const a = from.split('/');
  const b = to.split('/');
  while (a.length > 0 && b.length > 0 && a[a.length - 1] === b[b.length - 1]) {
    a.pop();
    b.pop();
  }
  return a.length > 0 && b.length > 0 ? { from: a.join('/'), to: b.join('/') } : undefined;
}

/**
 * Matches the layers of a weights file that the model does not know to the model's layers that
 * the file lacks. `savedOrder` is the file's recorded layer walk, when it has one; `expected`
 * is in graph order (as `weightDeclarations` gives it). `explicit` pairs (old layer → new
 * layer) given by the user are taken first, when their structures agree.
 */
export function matchRenamedLayers(
  saved: readonly NamedWeight[],
  expected: readonly NamedWeight[],
  savedOrder?: readonly string[],
  explicit: ReadonlyMap<string, string> = new Map(),
): RenameMatch {
  const savedNames = new Set(saved.map((w) => w.name));
  const modelNames = new Set(expected.map((w) => w.name));
  const savedLayers = layersOf(saved);
  const modelLayers = layersOf(expected);
  const modelPosition = new Map(modelLayers.map((layer, index) => [layer.name, index]));
  const savedPosition = savedOrder ? new Map(savedOrder.map((name, index) => [name, index])) : undefined;
  // Only layers of which no weight is known to the other side can have moved.
  const looseSaved = savedLayers.filter((layer) =>
    layer.weights.every((w) => !modelNames.has(join(layer.name, w.role))),
  );
  const looseModel = modelLayers.filter((layer) =>
    layer.weights.every((w) => !savedNames.has(join(layer.name, w.role))),
  );
  const groups = new Map<string, { saved: Layer[]; model: Layer[] }>();
  const group = (structure: string) => {
    let entry = groups.get(structure);
    if (!entry) groups.set(structure, (entry = { saved: [], model: [] }));
    return entry;
  };
  for (const layer of looseSaved) group(layerStructure(layer.weights)).saved.push(layer);
  for (const layer of looseModel) group(layerStructure(layer.weights)).model.push(layer);

  const renames: LayerRename[] = [];
  const pair = (entry: { saved: Layer[]; model: Layer[] }, from: Layer, to: Layer) => {
    entry.saved.splice(entry.saved.indexOf(from), 1);
    entry.model.splice(entry.model.indexOf(to), 1);
    renames.push({ from: from.name, to: to.name, weights: from.weights.map(({ role, shape }) => ({ role, shape })) });
  };
  for (const entry of groups.values()) {
    for (const from of [...entry.saved]) {
      const to = entry.model.find((layer) => layer.name === explicit.get(from.name));
      if (to) pair(entry, from, to);
    }
    if (entry.saved.length === 1 && entry.model.length === 1) pair(entry, entry.saved[0]!, entry.model[0]!);
    if (!savedPosition) continue;
    for (const from of [...entry.saved]) {
      const to = entry.model.find((layer) => modelPosition.get(layer.name) === savedPosition.get(from.name));
      if (to) pair(entry, from, to);
    }
  }
  // Prefix renames proven by the pairs so far settle layers of repeated structure under them;
  // again while new pairs prove new prefixes (each pass that goes on has paired a layer).
  for (let known = ''; ;) {
    const prefixes = provenPrefixes(renames);
    const key = JSON.stringify([...prefixes]);
    if (key === known) break;
    known = key;
    for (const entry of groups.values()) {
      if (entry.saved.length === 0 || entry.model.length === 0) continue;
      for (const from of [...entry.saved]) {
        const target = applyPrefix(from.name, prefixes);
        const to = target === undefined ? undefined : entry.model.find((layer) => layer.name === target);
        if (to) pair(entry, from, to);
      }
    }
  }
  const ambiguous = [...groups.entries()]
    .filter(([, entry]) => entry.saved.length > 0 && entry.model.length > 0)
    .map(([structure, entry]) => ({
      structure,
      saved: entry.saved.map((layer) => layer.name),
      model: entry.model.map((layer) => layer.name),
    }));
  renames.sort((a, b) => (modelPosition.get(a.to) ?? 0) - (modelPosition.get(b.to) ?? 0));
  return { renames, ambiguous };
}

const join = (layer: string, role: string) => (layer === '' ? role : `${layer}/${role}`);

/** Renamed prefixes that every pair agrees on (a prefix renamed two ways proves nothing). */
function provenPrefixes(renames: readonly LayerRename[]): Map<string, string> {
  const found = new Map<string, string | undefined>();
  for (const rename of renames) {
    const prefix = renamedPrefix(rename.from, rename.to);
    if (!prefix) continue;
    const known = found.get(prefix.from);
    found.set(
      prefix.from,
      known === undefined && !found.has(prefix.from) ? prefix.to : known === prefix.to ? known : undefined,
    );
  }
  return new Map([...found].filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The name with its longest proven prefix renamed; undefined when no prefix applies. */
function applyPrefix(name: string, prefixes: ReadonlyMap<string, string>): string | undefined {
  const segments = name.split('/');
  for (let length = segments.length; length > 0; length--) {
    const from = segments.slice(0, length).join('/');
    const to = prefixes.get(from);
    if (to !== undefined) return to + name.slice(from.length);
  }
  return undefined;
}

/** The full weight names a layer rename moves: old name → new name. */
export function renamedWeights(renames: readonly LayerRename[]): Map<string, string> {
  return new Map(
    renames.flatMap((rename) => rename.weights.map((w) => [join(rename.from, w.role), join(rename.to, w.role)])),
  );
}

/** The layers of a list of weights, in order of first appearance (graph order for a model's). */
export function layerOrder(weights: readonly { readonly name: string }[]): string[] {
  return [...new Set(weights.map((weight) => splitWeightName(weight.name).layer))];
}
