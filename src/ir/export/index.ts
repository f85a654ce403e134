/** Drawings of an IR graph: Graphviz DOT, Mermaid, and SVG rendered from the DOT. */
export { toDot, escapeLabel, dotNodeId, type DotOptions } from './dot.js';
export { toMermaid, escapeMermaid, mermaidNodeId, mermaidOutputId, type MermaidOptions } from './mermaid.js';
export { toSvg, renderDot } from './svg.js';
export { clusterTree, clusterTitle, type Cluster, type ClusterTree } from './clusters.js';
export { formatShape, describeOp, nodeLabelLines, type DimFormatter } from './labels.js';
