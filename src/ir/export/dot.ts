/**
 * Graphviz DOT for an IR graph: one box per node (name, op, output shape), model inputs and
 * outputs drawn as distinct shapes, and each block call drawn as a `cluster_*` subgraph so that
 * parallel branches (the arms of an ASPP) sit side by side inside their block.
 */
import { type CollapsedBlock, FULL_DEPTH, collapseGraph } from '../analysis/depth.js';
import type { Graph, IRNode } from '../graph.js';
import { type Cluster, type ClusterTree, clusterTitle, clusterTree } from './clusters.js';
import { graphEdges, nodeById } from './edges.js';
import { type DimFormatter, nodeLabelLines } from './labels.js';

export interface DotOptions {
  /** How sizes print in labels; defaults to the exactly simplified form (`ceil(H/16)`). */
  readonly formatDim?: DimFormatter;
  /** Block calls nested deeper than this are drawn as one node; every layer by default. */
  readonly depth?: number;
}

interface Drawing extends DotOptions {
  readonly blocks: ReadonlyMap<number, CollapsedBlock>;
}

const HEADER = [
  'graph [rankdir=TB, fontname="Helvetica,Arial,DejaVu Sans Condensed,sans-serif", fontsize=11, labelloc=t, nodesep=0.3, ranksep=0.35, ordering=out, newrank=true];',
  'node [shape=box, style="rounded,filled", fillcolor="#eef3fb", color="#5b7db1", fontname="Helvetica,Arial,DejaVu Sans Condensed,sans-serif", fontsize=10, margin="0.25,0.055"];',
  'edge [color="#555555", arrowsize=0.7];',
];

const INPUT_STYLE = 'shape=invhouse, style=filled, fillcolor="#fff2cc", color="#b7950b"';
const OUTPUT_STYLE = 'shape=house, style=filled, fillcolor="#d5f5e3", color="#1e8449"';
/** A collapsed block call: a stack of boxes, in the cluster colours. */
const BLOCK_STYLE = 'shape=box3d, style=filled, fillcolor="#e4e9f2", color="#5b7db1"';
const CLUSTER_STYLE = 'style="rounded,filled", fillcolor="#f7f7f7", color="#999999", fontsize=10, margin=16';

export function toDot(source: Graph, options: DotOptions = {}): string {
  const { graph, blocks } = collapseGraph(source, options.depth ?? FULL_DEPTH);
  const drawing: Drawing = { ...options, blocks };
  const lines = [
    `digraph ${graphId(graph.model)} {`,
    ...HEADER.map(indent(1)),
    indent(1)(`label=${quote(graph.model)};`),
  ];
  const tree = clusterTree(graph);
  lines.push(...treeLines(tree, drawing, 1));
  lines.push(
    ...graph.outputs.map((output, index) =>
      indent(1)(`${outputId(index)} [label=${quote(output.name)}, ${OUTPUT_STYLE}];`),
    ),
  );
  lines.push(...edgeLines(graph).map(indent(1)));
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** A DOT node identifier for an IR node. */
export function dotNodeId(node: IRNode): string {
  return `n${node.id}`;
}

function outputId(index: number): string {
  return `output${index}`;
}

function treeLines(tree: ClusterTree | Cluster, options: Drawing, depth: number): string[] {
  const lines = tree.nodes.map((node) => indent(depth)(nodeLine(node, options)));
  for (const cluster of tree.children) {
    lines.push(indent(depth)(`subgraph cluster_${cluster.id} {`));
    lines.push(indent(depth + 1)(`graph [label=${quote(clusterTitle(cluster.site))}, ${CLUSTER_STYLE}];`));
    lines.push(...treeLines(cluster, options, depth + 1));
    lines.push(indent(depth)('}'));
  }
  return lines;
}

function nodeLine(node: IRNode, options: Drawing): string {
  const block = options.blocks.get(node.id);
  const label = nodeLabelLines(node, options.formatDim, block).map(escapeLabel).join('\\n');
  const style = node.op === 'input' ? `, ${INPUT_STYLE}` : block ? `, ${BLOCK_STYLE}` : '';
  return `${dotNodeId(node)} [label="${label}"${style}];`;
}

function edgeLines(graph: Graph): string[] {
  const lines: string[] = [];
  for (const edge of graphEdges(graph)) lines.push(`${dotNodeId(edge.from)} -> ${dotNodeId(edge.to)};`);
  graph.outputs.forEach((output, index) =>
    lines.push(`${dotNodeId(nodeById(graph, output.node))} -> ${outputId(index)};`),
  );
  return lines;
}

/** A DOT double-quoted string whose text Graphviz renders exactly as given. */
export function quote(text: string): string {
  return `"${escapeLabel(text)}"`;
}

/**
 * Escapes text for a quoted DOT label. Graphviz decodes HTML entities (`&amp;`) in labels and
 * reads `\n`, `\l`, `\N`, `\G` ... as its own escapes, so `&` and backslashes are escaped too;
 * quotes are escaped for the lexer; raw line breaks become centred line breaks.
 */
export function escapeLabel(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n');
}

/**
 * Graph names are identifiers in `.seg`; anything else is replaced so the SVG title stays plain.
 * Quoted, because `graph`, `node` and `edge` are DOT keywords in any letter case.
 */
function graphId(model: string): string {
  return `"${model.replace(/[^A-Za-z0-9_]/g, '_')}"`;
}

function indent(depth: number): (line: string) => string {
  return (line) => `${'  '.repeat(depth)}${line}`;
}
