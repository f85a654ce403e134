/** `segc summary FILE`: the per-layer table (shape, params, FLOPs, receptive field, output stride). */
import { hasErrors } from '../../compiler/compile.js';
import { surveyOutputs } from '../../explain/derive.js';
import { describeSurvey, surveyJson } from '../../explain/describe.js';
import { type Summary, type SummaryRow, summarize } from '../../ir/analysis/summary.js';
import type { Parsed } from '../args.js';
import { compileFromArgs, requireFiles } from '../compile-file.js';
import { type Io, reportDiagnostics } from '../io.js';


export function summary(parsed: Parsed, io: Io): number {
  const json = parsed.values.json === true;
  const [file] = requireFiles(parsed, 'summary', 1);
  const result = compileFromArgs(file!, parsed);
  reportDiagnostics(io, result.diagnostics, result.sources, false);
  if (hasErrors(result.diagnostics)) return 1;
  const models = result.models.filter((m) => m.graph);
  // What the compiler derives for explanations (Grad-CAM target, exact CAM) is part of the summary.
  const summaries = models.map((m) => ({ ...summarize(m.graph!, m.sizes), explanations: surveyJson(m.graph!, surveyOutputs(m.graph!)) }));
  const text = () => models.map((m, i) => `${formatSummary(summaries[i]!)}\n\nexplanations (segc explain --list):\n${describeSurvey(m.graph!, surveyOutputs(m.graph!))}`).join('\n\n');
  io.out(json ? JSON.stringify(summaries.length === 1 ? summaries[0] : summaries, jsonNumbers, 2) : text());
  return 0;
}

/** Infinity is not JSON: global receptive fields are written as the string "global" already. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

export function formatSummary(s: Summary): string {
  const header = ['layer', 'op', 'output shape', 'params', 'FLOPs', 'RF', 'stride'];
  const rows = s.rows.map((r) => [r.name + (r.annotations.length ? ` @${r.annotations.join(' @')}` : ''), r.op, `[${r.shape.join(', ')}]`, group(r.params + r.nonTrainable), flops(r), String(r.receptiveField), stride(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const symbols = s.symbols.map((sym) => `${sym.name}${sym.value !== undefined ? ` = ${sym.value}` : ''}${sym.constraints.length ? ` (${sym.constraints.join(', ')})` : ''}`);
  return [
    `model ${s.model}${symbols.length ? `   sizes: ${symbols.join('; ')}` : ''}`,
    rule,
    line(header),
    rule,
    ...rows.map(line),
    rule,
    `params: ${group(s.totalParams)} (trainable ${group(s.trainableParams)}, non-trainable ${group(s.nonTrainableParams)})`,
    `FLOPs per image: ${s.totalFlops !== undefined ? `${group(s.totalFlops)} (${(s.totalFlops / 1e9).toFixed(2)} GFLOPs)` : 'depends on the input size; pass --input H,W'}`,
    `outputs: ${s.outputs.map((o) => `${o.name} [${o.shape.join(', ')}]`).join(', ')}`,
  ].join('\n');
}

function group(n: number): string {
  return n.toLocaleString('en-US');
}

function flops(r: SummaryRow): string {
  if (r.flops !== undefined) return r.flops >= 1e6 ? `${(r.flops / 1e6).toFixed(1)}M` : group(r.flops);
  return r.flopsFormula === '0' ? '0' : r.flopsFormula;
}

function stride(r: SummaryRow): string {
  if (r.outputStride === 'global') return 'global';
  return Number.isInteger(r.outputStride) ? String(r.outputStride) : r.outputStride.toFixed(2);
}
