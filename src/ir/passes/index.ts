/**
 * The IR passes, run in this order. Each is a pure Graph → Graph function that also maps every
 * node it was given to the node computing the same value in its result; the pipeline composes
 * those maps. In verify mode the graph is checked after every pass, and a dump hook sees the
 * graph after any pass.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Graph } from '../graph.js';
import type { SizeSpace } from '../../shapes/sizes.js';
import { verifyGraph } from '../verify.js';
import { foldBatchNorm } from './fold-batch-norm.js';
import { foldIdentities } from './fold-identities.js';
import { fuseActivation } from './fuse-activation.js';
import { lintArchitecture } from './lint-architecture.js';
import { type Pass, type PassMode, type PassResult, composeMaps, unchanged } from './pass.js';
import { removeDeadNodes } from './remove-dead-nodes.js';

export const PASSES: readonly Pass[] = [
  removeDeadNodes,
  lintArchitecture,
  foldIdentities,
  foldBatchNorm,
  fuseActivation,
];

export interface PassOptions {
  /** `source` keeps the graph as written (check, summary); `inference` and `training` prepare it to run. */
  readonly mode?: PassMode;
  /** Verify the IR after every pass (default: on when SEGC_VERIFY_IR=1, as in tests). */
  readonly verify?: boolean;
  /** Called with the graph after each pass (the CLI's --dump-ir). */
  readonly dump?: (pass: string, graph: Graph) => void;
}

export function runPasses(graph: Graph, sizes: SizeSpace, options: PassOptions, diagnostics: Diagnostic[]): Graph {
  return runPipeline(graph, sizes, options, diagnostics).graph;
}

/**
 * Runs the passes and also returns, for each node of `graph`, the node of the result that
 * computes its value (undefined when none does: dead, or merged away).
 */
export function runPipeline(
  graph: Graph,
  sizes: SizeSpace,
  options: PassOptions,
  diagnostics: Diagnostic[],
  passes: readonly Pass[] = PASSES,
): PassResult {
  const mode = options.mode ?? 'source';
  const verify = options.verify ?? (typeof process !== 'undefined' && process.env?.SEGC_VERIFY_IR === '1');
  if (verify) verifyGraph(graph, sizes, 'elaborate');
  let current = unchanged(graph);
  for (const pass of passes) {
    if (!pass.modes.includes(mode)) continue;
    const result = pass.run(current.graph, { sizes, mode, report: (d) => diagnostics.push(d) });
    if (verify) verifyGraph(result.graph, sizes, pass.name);
    options.dump?.(pass.name, result.graph);
    current = { graph: result.graph, map: composeMaps(current.map, result.map) };
  }
  return current;
}

export type { NodeMap, Pass, PassMode, PassResult } from './pass.js';
