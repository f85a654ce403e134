/**
 * Mermaid flowchart for an IR graph, for Markdown renderers that draw Mermaid (GitHub, many
 * docs sites): the same content as the DOT export, with one `subgraph` per block call.
 */
import { type CollapsedBlock, FULL_DEPTH, collapseGraph } from '../analysis/depth.js';
import type { Graph, IRNode } from '../graph.js';
import { type Cluster, type ClusterTree, clusterTitle, clusterTree } from './clusters.js';
import { graphEdges, nodeById } from './edges.js';
import { type DimFormatter, nodeLabelLines } from './labels.js';

export interface MermaidOptions {
  /** How sizes print in labels; defaults to the exactly simplified form (`ceil(H/16)`). */
  readonly formatDim?: DimFormatter;
  /** Block calls nested deeper than this are drawn as one node; every layer by default. */
  readonly depth?: number;
}

interface Drawing extends MermaidOptions {
  readonly blocks: ReadonlyMap<number, CollapsedBlock>;
}

const CLASSES = ['classDef input fill:#fff2cc,stroke:#b7950b', 'classDef output fill:#d5f5e3,stroke:#1e8449'];

export function toMermaid(source: Graph, options: MermaidOptions = {}): string {
  const { graph, blocks } = collapseGraph(source, options.depth ?? FULL_DEPTH);
  const lines = ['flowchart TD'];
  lines.push(...treeLines(clusterTree(graph), { ...options, blocks }, 1));
  graph.outputs.forEach((output, index) =>
    lines.push(indent(1)(`${mermaidOutputId(index)}(["${escapeMermaid(output.name)}"]):::output`)),
  );
  lines.push(
    ...graphEdges(graph).map((edge) => indent(1)(`${mermaidNodeId(edge.from)} --> ${mermaidNodeId(edge.to)}`)),
  );
  graph.outputs.forEach((output, index) =>
    lines.push(indent(1)(`${mermaidNodeId(nodeById(graph, output.node))} --> ${mermaidOutputId(index)}`)),
  );
  lines.push(...CLASSES.map(indent(1)));
  return `${lines.join('\n')}\n`;
}

export function mermaidNodeId(node: IRNode): string {
  return `n${node.id}`;
}

export function mermaidOutputId(index: number): string {
  return `output${index}`;
}

function treeLines(tree: ClusterTree | Cluster, options: Drawing, depth: number): string[] {
  const lines = tree.nodes.map((node) => indent(depth)(nodeLine(node, options)));
  for (const cluster of tree.children) {
    lines.push(indent(depth)(`subgraph c${cluster.id}["${escapeMermaid(clusterTitle(cluster.site))}"]`));
    lines.push(...treeLines(cluster, options, depth + 1));
    lines.push(indent(depth)('end'));
  }
  return lines;
}

function nodeLine(node: IRNode, options: Drawing): string {
  const block = options.blocks.get(node.id);
  const label = nodeLabelLines(node, options.formatDim, block).map(escapeMermaid).join('<br/>');
  // A collapsed block call is a subroutine box: `[[...]]`.
  if (block) return `${mermaidNodeId(node)}[["${label}"]]`;
  return node.op === 'input' ? `${mermaidNodeId(node)}[/"${label}"/]:::input` : `${mermaidNodeId(node)}["${label}"]`;
}

/**
 * Mermaid labels are HTML inside a quoted string; characters that would end the string, open a
 * tag or an entity, or switch on Markdown are written as Mermaid entity codes (`#quot;`).
 */
export function escapeMermaid(text: string): string {
  return text.replace(/[#"<>&`\r\n]/g, (character) => {
    if (character === '\n' || character === '\r') return ' ';
    return `#${character.codePointAt(0)};`;
  });
}

function indent(depth: number): (line: string) => string {
  return (line) => `${'  '.repeat(depth)}${line}`;
}
