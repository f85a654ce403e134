/**
 * The block calls of a graph as a tree of instances, one PyTorch module each. A node belongs to
 * the innermost call whose path segment appears in its name (a call of `ASPP` bound to
 * `context` names its nodes `context/aspp/...`); a call renamed with `@name` keeps its nodes in
 * the caller. An instance must be a contiguous run of nodes, so that it runs as one call between
 * its inputs and its readers; one that is not (two calls merged under one path) is dissolved
 * into its caller. Weight names do not depend on any of this: every layer is registered under
 * its full path, so a state_dict key is always the weight's own name.
 */
import type { Graph, IRNode } from '../../ir/graph.js';

export interface Instance {
  /** The block's name; the model's name for the root. */
  readonly block: string;
  /** The instance's path, '' for the model. */
  readonly path: string;
  readonly nodes: IRNode[];
  readonly children: Instance[];
  /** Where the call is, for the class's doc comment. */
  readonly site?: string;
}

/** segc's path segment of a block call (`ResidualBlock` → `residual_block`), as the elaborator writes it. */
function blockSegment(block: string): string {
  return block
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** The instance paths of a node, outermost first: each is the name's prefix up to a call's segment. */
function instancePaths(node: IRNode): { path: string; block: string; site: string }[] {
  const segments = node.name.split('/');
  const paths: { path: string; block: string; site: string }[] = [];
  let position = 0;
  for (const call of node.callChain) {
    const wanted = blockSegment(call.block);
    const found = segments.findIndex(
      (segment, index) =>
        index >= position &&
        index < segments.length - 1 &&
        new RegExp(`^${escapeRegExp(wanted)}(_\\d+)?$`).test(segment),
    );
    if (found < 0) break;
    position = found + 1;
    paths.push({
      path: segments.slice(0, position).join('/'),
      block: call.block,
      site: `${call.span.file}:${call.span.start.line}`,
    });
  }
  return paths;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function instanceTree(graph: Graph): Instance {
  const root: Instance = { block: graph.model, path: '', nodes: [], children: [] };
  const byPath = new Map<string, Instance>([['', root]]);
  for (const node of graph.nodes) {
    let parent = root;
    for (const { path, block, site } of node.op === 'input' ? [] : instancePaths(node)) {
      let child = byPath.get(path);
      if (!child) {
        child = { block, path, nodes: [], children: [], site };
        parent.children.push(child);
        byPath.set(path, child);
      }
      parent = child;
    }
    parent.nodes.push(node);
  }
  dissolveScattered(root);
  return root;
}

/** Every node id of an instance, its children's included. */
export function allNodes(instance: Instance): IRNode[] {
  return [...instance.nodes, ...instance.children.flatMap(allNodes)].sort((a, b) => a.id - b.id);
}

function isContiguous(instance: Instance): boolean {
  const ids = allNodes(instance).map((node) => node.id);
  return ids[ids.length - 1]! - ids[0]! === ids.length - 1;
}

function dissolveScattered(instance: Instance): void {
  for (let index = 0; index < instance.children.length;) {
    const child = instance.children[index]!;
    if (isContiguous(child)) {
      dissolveScattered(child);
      index += 1;
      continue;
    }
    instance.children.splice(index, 1, ...child.children);
    instance.nodes.push(...child.nodes);
  }
  instance.nodes.sort((a, b) => a.id - b.id);
}
