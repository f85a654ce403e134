/**
 * SVG rendering of the DOT export with Graphviz compiled to WebAssembly, so no `dot` binary is
 * needed and the same code runs in a browser.
 */
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { InternalError } from '../../diagnostics/diagnostic.js';
import type { Graph } from '../graph.js';
import { type DotOptions, toDot } from './dot.js';

let graphvizLoading: Promise<Graphviz> | undefined;

/** Loading the wasm module takes a while; it is done once and shared, unless it failed. */
function loadGraphviz(): Promise<Graphviz> {
  graphvizLoading ??= Graphviz.load().catch((error: unknown) => {
    graphvizLoading = undefined;
    throw error;
  });
  return graphvizLoading;
}

export async function toSvg(graph: Graph, options: DotOptions = {}): Promise<string> {
  return renderDot(toDot(graph, options));
}

/** Lays out any DOT text as SVG. */
export async function renderDot(dot: string): Promise<string> {
  const graphviz = await loadGraphviz();
  try {
    return graphviz.dot(dot, 'svg');
  } catch (error) {
    // The DOT comes from toDot, so a layout failure is a bug in the exporter, not in user input.
    throw new InternalError(
      `Graphviz could not lay out the exported graph: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
