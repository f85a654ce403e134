/**
 * The summary as a table for a terminal: one row per layer (or per collapsed block call), then
 * totals of parameters, FLOPs and memory. FLOPs and activation memory depend on the input size:
 * without one (`--input H,W`) their columns are left out, since a column of formulas doubles the
 * table's width; `--json` has every formula.
 */
import type { Summary, SummaryRow } from './summary.js';

const HEADER = ['layer', 'op', 'output shape', 'params', 'FLOPs', 'weights', 'activations', 'RF', 'stride'];
/** Columns from here on are numbers, aligned right. */
const FIRST_NUMBER = 3;
/** The columns that need a fixed input size. */
const SIZED = new Set(['FLOPs', 'activations']);

export function formatSummary(s: Summary): string {
  const sized = s.rows.every((r) => r.flops !== undefined && r.activationBytes !== undefined);
  const keep = HEADER.map((h) => sized || !SIZED.has(h));
  const header = HEADER.filter((_, i) => keep[i]);
  const rows = s.rows.map((r) => cells(r).filter((_, i) => keep[i]));
  const firstNumber = header.indexOf(HEADER[FIRST_NUMBER]!);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (i >= firstNumber ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const symbols = s.symbols.map(
    (sym) =>
      `${sym.name}${sym.value !== undefined ? ` = ${sym.value}` : ''}${sym.constraints.length ? ` (${sym.constraints.join(', ')})` : ''}`,
  );
  const depth =
    s.depth === null ? '' : `   depth ${s.depth} (blocks called deeper are one row; --depth all expands them)`;
  return [
    `model ${s.model}${symbols.length ? `   sizes: ${symbols.join('; ')}` : ''}${depth}`,
    rule,
    line(header),
    rule,
    ...rows.map(line),
    rule,
    `params: ${group(s.totalParams)} (trainable ${group(s.trainableParams)}, non-trainable ${group(s.nonTrainableParams)})`,
    ...(sized
      ? []
      : ['FLOPs and activations per layer depend on the input size: pass --input H,W (--json has them as formulas)']),
    `FLOPs per image: ${s.totalFlops !== undefined ? `${group(s.totalFlops)} (${(s.totalFlops / 1e9).toFixed(2)} GFLOPs)` : 'depends on the input size; pass --input H,W'}`,
    `memory per image: weights ${bytes(s.paramBytes)}, activations ${s.activationBytes !== undefined ? `${bytes(s.activationBytes)} (every layer's output, as training keeps them)` : 'depend on the input size; pass --input H,W'}`,
    `outputs: ${s.outputs.map((o) => `${o.name} [${o.shape.join(', ')}]`).join(', ')}`,
  ].join('\n');
}

function cells(r: SummaryRow): string[] {
  const name = r.name + (r.annotations.length ? ` @${r.annotations.join(' @')}` : '');
  const op =
    r.layers === undefined ? r.op : `${r.op}${r.iterations! > 1 ? ` ×${r.iterations}` : ''} (${r.layers} layers)`;
  const activations = r.activationBytes !== undefined ? bytes(r.activationBytes) : '';
  return [
    name,
    op,
    `[${r.shape.join(', ')}]`,
    group(r.params + r.nonTrainable),
    flops(r),
    bytes(r.paramBytes),
    activations,
    String(r.receptiveField),
    stride(r),
  ];
}

function group(n: number): string {
  return n.toLocaleString('en-US');
}

/** Binary units, three significant digits: `1.21 MiB`. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toPrecision(3)} ${units[unit]}`;
}

function flops(r: SummaryRow): string {
  if (r.flops !== undefined) {
    if (r.flops >= 1e9) return `${(r.flops / 1e9).toFixed(1)}G`;
    return r.flops >= 1e6 ? `${(r.flops / 1e6).toFixed(1)}M` : group(r.flops);
  }
  return '';
}

function stride(r: SummaryRow): string {
  if (r.outputStride === 'global') return 'global';
  return Number.isInteger(r.outputStride) ? String(r.outputStride) : r.outputStride.toFixed(2);
}
