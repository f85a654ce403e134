/**
 * Building an ONNX graph from the IR. segc's 4-D feature maps are NHWC; ONNX's convolutions,
 * pools and resizes are NCHW. Every value remembers its layout, and an op asks for its inputs in
 * the layout it needs: a transpose is inserted only where the layout changes (once per value),
 * so a chain of convolutions runs in NCHW from the input's transpose to the output's.
 */
import { AttributeType, ElementType } from './schema.js';

export type Layout = 'nhwc' | 'nchw' | 'plain';

/** A tensor in the ONNX graph: its name, rank, and (for rank 4) the axis order it is stored in. */
export interface OnnxValue {
  readonly name: string;
  readonly rank: number;
  readonly layout: Layout;
}

export type AttributeValue =
  number | string | readonly number[] | { readonly floats: readonly number[] } | { readonly float: number };

export interface NodeRecord {
  readonly op_type: string;
  readonly input: string[];
  readonly output: string[];
  readonly name: string;
  readonly doc_string: string;
  readonly attribute: Record<string, unknown>[];
}

export interface InitializerRecord {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data_type: number;
  readonly data: Float32Array | Int32Array | BigInt64Array;
}

/** NHWC axis → NCHW axis (and the order that moves one into the other). */
const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];
const NCHW_AXIS = [0, 2, 3, 1];

/** Where a node comes from, for its ONNX name and doc string. */
export interface NodeOrigin {
  readonly name: string;
  readonly doc: string;
}

export class OnnxGraphBuilder {
  readonly nodes: NodeRecord[] = [];
  readonly initializers: InitializerRecord[] = [];
  private readonly used = new Set<string>();
  private readonly converted = new Map<string, OnnxValue>();
  private readonly weights = new Map<string, string>();

  constructor(reserved: readonly string[]) {
    for (const name of reserved) this.used.add(name);
  }

  /** A fresh tensor or node name based on `base` (`enc/conv`, `enc/conv_1`, ...). */
  unique(base: string): string {
    let name = base;
    for (let n = 1; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node with one output and returns the output's name. */
  add(
    opType: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, AttributeValue>>,
    origin: NodeOrigin,
    outputName?: string,
  ): string {
    const output = outputName ?? this.unique(origin.name);
    this.nodes.push({
      op_type: opType,
      input: [...inputs],
      output: [output],
      name: this.unique(`${origin.name}:${opType}`),
      doc_string: origin.doc,
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return output;
  }

  /** Adds a node with several outputs (MaxPool's values and indices) and returns their names. */
  addOutputs(
    opType: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, AttributeValue>>,
    origin: NodeOrigin,
    labels: readonly string[],
  ): string[] {
    const outputs = labels.map((label) => this.unique(`${origin.name}/${label}`));
    this.nodes.push({
      op_type: opType,
      input: [...inputs],
      output: outputs,
      name: this.unique(`${origin.name}:${opType}`),
      doc_string: origin.doc,
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return outputs;
  }

  /** A float initializer named after its weight (`enc/conv/kernel`). */
  floats(name: string, dims: readonly number[], data: Float32Array): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims, data_type: ElementType.float, data });
    return unique;
  }

  /** A weight's initializer, made once: a derivative reads the same tensor as its forward op. */
  weight(name: string, make: () => { dims: readonly number[]; data: Float32Array }): string {
    if (this.weights.has(name)) return this.weights.get(name)!;
    const tensor = make();
    const unique = this.floats(name, tensor.dims, tensor.data);
    this.weights.set(name, unique);
    return unique;
  }

  /** An int64 constant (shapes, axes, slice bounds) as an initializer. */
  int64s(name: string, values: readonly number[]): string {
    const unique = this.unique(name);
    this.initializers.push({
      name: unique,
      dims: [values.length],
      data_type: ElementType.int64,
      data: BigInt64Array.from(values.map((v) => BigInt(v))),
    });
    return unique;
  }

  /** The value in the wanted layout; rank-4 values are transposed once and the result reused. */
  as(value: OnnxValue, layout: 'nhwc' | 'nchw'): string {
    if (value.rank !== 4 || value.layout === layout || value.layout === 'plain') return value.name;
    const key = `${value.name}\u0000${layout}`;
    const cached = this.converted.get(key);
    if (cached) return cached.name;
    const perm = layout === 'nchw' ? TO_NCHW : TO_NHWC;
    const name = this.add(
      'Transpose',
      [value.name],
      { perm },
      { name: `${value.name}/${layout}`, doc: `${value.name} in ${layout.toUpperCase()} order` },
    );
    this.converted.set(key, { name, rank: 4, layout });
    return name;
  }
}

/** The ONNX axis for an IR (NHWC) axis of a rank-`rank` value stored in `layout`. */
export function axisIn(axis: number, rank: number, layout: Layout): number {
  const positive = axis < 0 ? axis + rank : axis;
  return rank === 4 && layout === 'nchw' ? NCHW_AXIS[positive]! : positive;
}

function attribute(name: string, value: AttributeValue): Record<string, unknown> {
  if (typeof value === 'number') return { name, type: AttributeType.int, i: value };
  if (typeof value === 'string') return { name, type: AttributeType.string, s: new TextEncoder().encode(value) };
  if ('floats' in value) return { name, type: AttributeType.floats, floats: [...value.floats] };
  if ('float' in value) return { name, type: AttributeType.float, f: value.float };
  return { name, type: AttributeType.ints, ints: [...(value as readonly number[])] };
}
