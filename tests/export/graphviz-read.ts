/**
 * Reads DOT back through Graphviz itself (its `dot_json` output), so the tests check what
 * Graphviz understood from the exported text, not what the text looks like.
 */
import { Graphviz } from '@hpcc-js/wasm-graphviz';

export interface ReadNode {
  readonly name: string;
  readonly label: string;
  readonly shape: string;
}

export interface ReadCluster {
  readonly name: string;
  readonly label: string;
  /** Nodes directly inside, not in a nested cluster. */
  readonly nodes: readonly string[];
  readonly clusters: readonly string[];
}

export interface ReadGraph {
  readonly attributes: Readonly<Record<string, string>>;
  readonly nodes: ReadonlyMap<string, ReadNode>;
  readonly clusters: ReadonlyMap<string, ReadCluster>;
  /** `tail->head` by node name, in file order. */
  readonly edges: readonly string[];
}

interface JsonObject {
  readonly _gvid: number;
  readonly name: string;
  readonly label?: string;
  readonly shape?: string;
  readonly nodes?: readonly number[];
  readonly subgraphs?: readonly number[];
}

interface JsonGraph extends Record<string, unknown> {
  readonly objects?: readonly JsonObject[];
  readonly edges?: readonly { readonly tail: number; readonly head: number }[];
}

export async function readDot(dot: string): Promise<ReadGraph> {
  const graphviz = await Graphviz.load();
  const json = JSON.parse(graphviz.layout(dot, 'dot_json')) as JsonGraph;
  const objects = json.objects ?? [];
  const byId = new Map(objects.map((o) => [o._gvid, o]));
  const isCluster = (o: JsonObject): boolean => o.nodes !== undefined || o.name.startsWith('cluster');
  const nodes = new Map(
    objects
      .filter((o) => !isCluster(o))
      .map((o) => [o.name, { name: o.name, label: o.label ?? '', shape: o.shape ?? '' }]),
  );
  const clusters = new Map(objects.filter(isCluster).map((o) => [o.name, readCluster(o, byId)]));
  const edges = (json.edges ?? []).map((e) => `${byId.get(e.tail)!.name}->${byId.get(e.head)!.name}`);
  const attributes = Object.fromEntries(
    Object.entries(json).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  return { attributes, nodes, clusters, edges };
}

function readCluster(cluster: JsonObject, byId: Map<number, JsonObject>): ReadCluster {
  const children = (cluster.subgraphs ?? []).map((id) => byId.get(id)!);
  const nested = new Set(children.flatMap((child) => child.nodes ?? []));
  const nodes = (cluster.nodes ?? []).filter((id) => !nested.has(id)).map((id) => byId.get(id)!.name);
  return { name: cluster.name, label: cluster.label ?? '', nodes, clusters: children.map((c) => c.name) };
}
