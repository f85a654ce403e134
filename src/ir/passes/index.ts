/**
 * The IR passes, run in this order. Each is a pure Graph → Graph function; in verify mode the
 * graph is checked after every pass, and a dump hook sees the graph after any pass.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Graph } from '../graph.js';
import type { SizeSpace } from '../../shapes/sizes.js';
import { verifyGraph } from '../verify.js';
import { foldBatchNorm } from './fold-batch-norm.js';
import { foldIdentities } from './fold-identities.js';
import { fuseActivation } from './fuse-activation.js';
import { lintArchitecture } from './lint-architecture.js';
import type { Pass, PassMode } from './pass.js';
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
  const mode = options.mode ?? 'source';
  const verify = options.verify ?? (typeof process !== 'undefined' && process.env?.SEGC_VERIFY_IR === '1');
  if (verify) verifyGraph(graph, sizes, 'elaborate');
  let current = graph;
  for (const pass of PASSES) {
    if (!pass.modes.includes(mode)) continue;
    current = pass.run(current, { sizes, mode, report: (d) => diagnostics.push(d) });
    if (verify) verifyGraph(current, sizes, pass.name);
    options.dump?.(pass.name, current);
  }
  return current;
}

export type { Pass, PassMode } from './pass.js';
