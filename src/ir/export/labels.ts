/**
 * What a node says about itself in a drawing: its name, its op with the attributes that change
 * the geometry (kernel, stride, dilation, ...), and its output shape. Shared by the DOT and
 * Mermaid exporters so both drawings read the same.
 */
import type { AttrValue } from '../../ops/op.js';
import type { CollapsedBlock } from '../analysis/depth.js';
import type { IRNode } from '../graph.js';
import { simplify } from '../../shapes/simplify.js';
import { type Dim, structural } from '../../shapes/symbolic.js';

export type DimFormatter = (d: Dim) => string;

/** Sizes simplified exactly (`ceil(H/16)`), when no size space is at hand to say more. */
export const simplifiedDim: DimFormatter = (d) => structural(simplify(d));

/** `[N, H/16, W/16, 256]`; integer tensors are marked (`i32[N, H, W]`) since most are f32. */
export function formatShape(node: IRNode, formatDim: DimFormatter = simplifiedDim): string {
  const dims = `[${node.type.shape.map((d) => formatDim(d)).join(', ')}]`;
  return node.type.dtype === 'f32' ? dims : `${node.type.dtype}${dims}`;
}

/** The op and its geometry: `conv 3×3 /2 d2`, `upsample bilinear`, `input`. */
export function describeOp(node: IRNode): string {
  const parts = [node.op];
  const window = node.attrs['kernel'] ?? node.attrs['size'];
  if (window !== undefined && window !== null) parts.push(formatWindow(window));
  const stride = largest(node.attrs['stride']);
  if (stride !== undefined && stride > 1) parts.push(`/${formatPair(node.attrs['stride'] ?? null)}`);
  const dilation = largest(node.attrs['dilation']);
  if (dilation !== undefined && dilation > 1) parts.push(`d${formatPair(node.attrs['dilation'] ?? null)}`);
  for (const key of ['factor', 'mode', 'rate', 'threshold'] as const) {
    const value = node.attrs[key];
    if (value !== undefined && value !== null)
      parts.push(key === 'mode' ? String(value) : `${key} ${formatPair(value)}`);
  }
  return parts.join(' ');
}

/** The lines of a node's label, top to bottom; a collapsed block call names its block. */
export function nodeLabelLines(node: IRNode, formatDim?: DimFormatter, block?: CollapsedBlock): string[] {
  return [node.name, block ? describeBlock(block, node) : describeOp(node), formatShape(node, formatDim)];
}

/** `ASPP · 22 layers`, `Bottleneck ×5 · 50 layers`, with its parameter count when it has any. */
export function describeBlock(block: CollapsedBlock, node: IRNode): string {
  const times = block.iterations > 1 ? ` ×${block.iterations}` : '';
  const layers = block.layers === 1 ? '1 layer' : `${block.layers} layers`;
  const params = node.weights
    .filter((w) => w.trainable)
    .reduce((sum, w) => sum + w.shape.reduce((p, d) => p * d, 1), 0);
  return `${block.site.block}${times} · ${layers}${params > 0 ? ` · ${compact(params)} params` : ''}`;
}

/** 23,561,152 → `23.6M`; 9,408 → `9.4k`. */
function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  return n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

function formatWindow(value: AttrValue): string {
  if (Array.isArray(value) && value.length === 2) return `${value[0]}×${value[1]}`;
  return typeof value === 'number' ? `${value}×${value}` : formatPair(value);
}

/** A pair with equal halves prints as one number: `[2, 2]` → `2`. */
function formatPair(value: AttrValue): string {
  if (Array.isArray(value)) {
    if (value.length === 2 && value[0] === value[1]) return String(value[0]);
    return value.map((v) => String(v)).join('×');
  }
  return String(value);
}

function largest(value: AttrValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) {
    const numbers = value.filter((v): v is number => typeof v === 'number');
    return numbers.length > 0 ? Math.max(...numbers) : undefined;
  }
  return undefined;
}
