/**
 * Groups IR nodes by the block calls that produced them, as a tree: a node whose call chain is
 * `[DeepLab @a, ASPP @b]` sits in the ASPP cluster nested in the DeepLab cluster. A call is
 * identified by its block and its call-site span, so the iterations of one `repeat` or
 * comprehension, which share a call site, share a cluster.
 */
import type { CallSite, Graph, IRNode } from '../graph.js';

export interface Cluster {
  /** Path from the root, e.g. `0_2`: safe to use inside DOT and Mermaid identifiers. */
  readonly id: string;
  readonly site: CallSite;
  readonly nodes: IRNode[];
  readonly children: Cluster[];
}

export interface ClusterTree {
  /** Nodes outside every block call (model inputs, the model's own statements). */
  readonly nodes: IRNode[];
  readonly children: Cluster[];
}

/** Builds the cluster tree; children and nodes keep the graph's topological order. */
export function clusterTree(graph: Graph): ClusterTree {
  const root: ClusterTree = { nodes: [], children: [] };
  const byKey = new Map<string, Cluster>();
  for (const node of graph.nodes) {
    let parent: ClusterTree = root;
    let key = '';
    for (const site of node.callChain) {
      key += `|${siteKey(site)}`;
      parent = childCluster(parent, key, site, byKey);
    }
    parent.nodes.push(node);
  }
  return root;
}

/**
 * A readable title for a cluster: `ASPP (examples/aspp.seg:18:17)`, with the path as the source was
 * named (relative, or `std/heads.seg`). An absolute path is cut to the file's name: the folders of
 * the machine that drew it mean nothing to a reader.
 */
export function clusterTitle(site: CallSite): string {
  return `${site.block} (${shownPath(site.span.file)}:${site.span.start.line}:${site.span.start.column})`;
}

function shownPath(path: string): string {
  if (!/^([A-Za-z]:)?[\\/]/.test(path)) return path;
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

function childCluster(
  parent: ClusterTree | Cluster,
  key: string,
  site: CallSite,
  byKey: Map<string, Cluster>,
): Cluster {
  const existing = byKey.get(key);
  if (existing) return existing;
  const prefix = 'id' in parent ? `${parent.id}_` : '';
  const cluster: Cluster = { id: `${prefix}${parent.children.length}`, site, nodes: [], children: [] };
  parent.children.push(cluster);
  byKey.set(key, cluster);
  return cluster;
}

function siteKey(site: CallSite): string {
  const { file, start, end } = site.span;
  return JSON.stringify([site.block, file, start.offset, end.offset]);
}
