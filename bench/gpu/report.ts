/**
 * Merges the per-backend JSON files of one kit run into `report.json`: the machine, the WebGPU
 * adapter (and whether it is hardware), per case the median, spread and first run on each backend
 * with WebGPU's speed-up over wasm and cpu, and how closely each backend's logits agree with the
 * cpu backend's on the trained small DeepLabv3+.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BackendName } from '../../src/index.js';
import type { BackendReport } from './measure.js';

export const REPORT_SCHEMA = 'segc-gpu-bench/1';
const BACKENDS: readonly BackendName[] = ['webgpu', 'wasm', 'cpu'];

export interface Agreement {
  readonly backend: BackendName;
  /** Largest |logit − cpu logit| over every pixel and class. */
  readonly maxAbsDifference: number;
  /** Pixels whose arg-max class equals the cpu backend's. */
  readonly maskAgreement: number;
}

interface Row {
  readonly id: string;
  readonly backends: Partial<
    Record<
      BackendName,
      { status: string; firstMs?: number; medianMs?: number; spread?: number; reps?: number; reason?: string }
    >
  >;
  /** Median wasm time / median WebGPU time; above 1, WebGPU is faster. */
  readonly webgpuSpeedupOverWasm?: number;
  readonly webgpuSpeedupOverCpu?: number;
}

function readBackend(dir: string, backend: BackendName): BackendReport | { backend: BackendName; missing: string } {
  const path = join(dir, `${backend}.json`);
  if (!existsSync(path)) return { backend, missing: `${path} was not written (see ${backend}.log)` };
  return JSON.parse(readFileSync(path, 'utf8')) as BackendReport;
}

function compareLogits(dir: string, backend: BackendName, classes: number): Agreement | undefined {
  const file = (name: BackendName) => join(dir, `agreement-${name}.f32`);
  if (!existsSync(file(backend)) || !existsSync(file('cpu'))) return undefined;
  const floats = (name: BackendName) => new Float32Array(new Uint8Array(readFileSync(file(name))).buffer);
  const [ours, reference] = [floats(backend), floats('cpu')];
  if (ours.length !== reference.length || ours.length % classes !== 0) return undefined;
  let maxAbsDifference = 0;
  let agreeing = 0;
  const argmax = (values: Float32Array, at: number) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[at + c]! > values[at + best]!) best = c;
    return best;
  };
  for (let at = 0; at < ours.length; at += classes) {
    for (let c = 0; c < classes; c++)
      maxAbsDifference = Math.max(maxAbsDifference, Math.abs(ours[at + c]! - reference[at + c]!));
    if (argmax(ours, at) === argmax(reference, at)) agreeing++;
  }
  return { backend, maxAbsDifference, maskAgreement: agreeing / (ours.length / classes) };
}

function rows(reports: readonly BackendReport[]): Row[] {
  const ids = reports[0]?.cells.map((c) => c.id) ?? [];
  return ids.map((id) => {
    const backends: Row['backends'] = {};
    const median: Partial<Record<BackendName, number>> = {};
    for (const report of reports) {
      const cell = report.cells.find((c) => c.id === id);
      if (!cell) continue;
      if (cell.status === 'ok') {
        backends[report.backend] = {
          status: 'ok',
          firstMs: cell.firstMs,
          ...(cell.steady ? { medianMs: cell.steady.median, spread: cell.steady.spread, reps: cell.steady.reps } : {}),
        };
        if (cell.steady) median[report.backend] = cell.steady.median;
      } else backends[report.backend] = { status: cell.status, reason: cell.reason };
    }
    const speedup = (peer: BackendName) => (median.webgpu && median[peer] ? median[peer]! / median.webgpu : undefined);
    const overWasm = speedup('wasm');
    const overCpu = speedup('cpu');
    return {
      id,
      backends,
      ...(overWasm ? { webgpuSpeedupOverWasm: overWasm } : {}),
      ...(overCpu ? { webgpuSpeedupOverCpu: overCpu } : {}),
    };
  });
}

function note(dir: string, name: string): string | undefined {
  const path = join(dir, name);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}

/** Which build of the kit ran: commit, build time, Node, Vulkan loader (run.sh copies its manifest). */
function kitManifest(dir: string): Record<string, unknown> | null {
  const text = note(dir, 'kit-manifest.json');
  if (!text) return null;
  const { commit, builtAt, node, vulkanLoader } = JSON.parse(text) as Record<string, unknown>;
  return { commit, builtAt, node, vulkanLoader };
}

export function buildReport(dir: string): Record<string, unknown> {
  const loaded = BACKENDS.map((b) => readBackend(dir, b));
  const reports = loaded.filter((r): r is BackendReport => !('missing' in r));
  const webgpu = reports.find((r) => r.backend === 'webgpu');
  const classes = reports.find((r) => r.agreement?.status === 'ok')?.agreement;
  const shape = classes?.status === 'ok' ? classes.shape : undefined;
  const agreement = shape
    ? BACKENDS.filter((b) => b !== 'cpu')
        .map((b) => compareLogits(dir, b, shape.at(-1)!))
        .filter((a) => a)
    : [];
  return {
    schema: REPORT_SCHEMA,
    date: new Date().toISOString(),
    plan: reports[0]?.plan,
    kit: kitManifest(dir),
    // True only when WebGPU ran on an adapter that is neither a fallback nor a known CPU emulation.
    hardwareGpu: webgpu?.adapter ? !webgpu.adapter.software : false,
    adapter: webgpu?.adapter ?? null,
    machine: {
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      memoryBytes: totalmem(),
      kernel: release(),
      node: process.version,
      nvidiaSmi: note(dir, 'nvidia-smi.txt') ?? null,
      vulkanIcds: note(dir, 'vulkan-icds.txt') ?? null,
    },
    missing: loaded.filter((r) => 'missing' in r),
    rows: rows(reports),
    agreement,
    backends: reports,
  };
}

const cellText = (cell: Row['backends'][BackendName]) =>
  !cell
    ? '—'
    : cell.status !== 'ok'
      ? cell.status
      : cell.medianMs !== undefined
        ? `${cell.medianMs.toFixed(0)} ±${((cell.spread ?? 0) * 100).toFixed(0)}% n${cell.reps} 1st ${cell.firstMs!.toFixed(0)}`
        : `1st ${cell.firstMs!.toFixed(0)}`;

/** A plain-text table of the rows, for the log. */
export function formatReport(report: Record<string, unknown>): string {
  const adapter = report.adapter as { name: string; software: boolean } | null;
  const lines = [
    `WebGPU adapter: ${adapter ? `${adapter.name}${adapter.software ? ' — SOFTWARE, not a GPU' : ''}` : 'none'}`,
  ];
  for (const backend of report.backends as BackendReport[])
    if (backend.unavailable) lines.push(`${backend.backend} unavailable: ${backend.unavailable}`);
  for (const { missing } of report.missing as { missing: string }[]) lines.push(missing);
  lines.push(`${'case'.padEnd(40)}${BACKENDS.map((b) => `${b} ms`.padEnd(28)).join('')}webgpu speed-up ×wasm ×cpu`);
  for (const row of report.rows as Row[]) {
    const speedups = [row.webgpuSpeedupOverWasm, row.webgpuSpeedupOverCpu].map((s) => (s ? s.toFixed(2) : '—'));
    lines.push(
      `${row.id.padEnd(40)}${BACKENDS.map((b) => cellText(row.backends[b]).padEnd(28)).join('')}${speedups.join(' ')}`,
    );
  }
  for (const a of report.agreement as Agreement[])
    lines.push(
      `agreement with cpu: ${a.backend} max |Δlogit| ${a.maxAbsDifference.toExponential(2)}, mask ${(a.maskAgreement * 100).toFixed(2)}%`,
    );
  return lines.join('\n');
}

export function writeReport(dir: string, out: string): Record<string, unknown> {
  const report = buildReport(dir);
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
