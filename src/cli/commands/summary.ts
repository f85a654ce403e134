/** `segc summary FILE`: the per-layer table (shape, params, FLOPs, receptive field, output stride). */
import { hasErrors } from '../../compiler/compile.js';
import { surveyOutputs } from '../../ir/analysis/explanations/derive.js';
import { describeSurvey, surveyJson } from '../../ir/analysis/explanations/describe.js';
import { FULL_DEPTH } from '../../ir/analysis/depth.js';
import { summarize } from '../../ir/analysis/summary.js';
import { formatSummary } from '../../ir/analysis/summary-text.js';
import type { Parsed } from '../args.js';
import { compileFromArgs, requireFiles } from '../compile-file.js';
import { type Io, reportDiagnostics } from '../io.js';
import { parseDepth } from './depth-option.js';

/** Blocks called inside blocks called by the model are one row each unless asked (torchinfo shows 3). */
export const SUMMARY_DEPTH = 2;

export function summary(parsed: Parsed, io: Io): number {
  const json = parsed.values.json === true;
  // Tools reading --json get every layer unless they ask for a depth; people get the short table.
  const depth = parseDepth(parsed, json ? FULL_DEPTH : SUMMARY_DEPTH);
  const [file] = requireFiles(parsed, 'summary', 1);
  const result = compileFromArgs(file!, parsed);
  reportDiagnostics(io, result.diagnostics, result.sources, false);
  if (hasErrors(result.diagnostics)) return 1;
  const models = result.models.filter((m) => m.graph);
  // What the compiler derives for explanations (Grad-CAM target, exact CAM) is part of the summary.
  const summaries = models.map((m) => ({
    ...summarize(m.graph!, m.sizes, { depth }),
    explanations: surveyJson(m.graph!, surveyOutputs(m.graph!)),
  }));
  const text = () =>
    models
      .map(
        (m, i) =>
          `${formatSummary(summaries[i]!)}\n\nexplanations (segc explain --list):\n${describeSurvey(m.graph!, surveyOutputs(m.graph!))}`,
      )
      .join('\n\n');
  io.out(json ? JSON.stringify(summaries.length === 1 ? summaries[0] : summaries, jsonNumbers, 2) : text());
  return 0;
}

/** Infinity is not JSON: global receptive fields are written as the string "global" already. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}
