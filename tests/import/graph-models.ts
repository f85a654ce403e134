/**
 * Test helpers for tfjs graph models: a small writer of model.json + one binary shard in the
 * format tfjs-converter writes (TensorFlow nodes with JSON attributes, constants in the weights
 * manifest), and the reference: tfjs-converter's own `loadGraphModel` and `execute` on the files.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';

type Attr = Record<string, unknown>;

export interface NodeSpec {
  readonly name: string;
  readonly op: string;
  readonly inputs?: readonly string[];
  readonly attr?: Attr;
}

/** Attribute values as TensorFlow's JSON form spells them. */
export const attr = {
  ints: (values: number[]) => ({ list: { i: values.map(String) } }),
  text: (value: string) => ({ s: Buffer.from(value).toString('base64') }),
  texts: (values: string[]) => ({ list: { s: values.map((v) => Buffer.from(v).toString('base64')) } }),
  bool: (value: boolean) => ({ b: value }),
  float: (value: number) => ({ f: value }),
  int: (value: number) => ({ i: String(value) }),
  float32: { type: 'DT_FLOAT' },
};

/** A graph under construction: nodes in order, constants with values. */
export class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  private readonly constants: { name: string; values: Float32Array | Int32Array; shape: number[] }[] = [];
  private seed = 1;

  input(name: string, shape: number[]): string {
    this.nodes.push({
      name,
      op: 'Placeholder',
      attr: { dtype: attr.float32, shape: { shape: { dim: shape.map((size) => ({ size: String(size) })) } } },
    });
    return name;
  }

  /** A float constant, random in [low, high) unless given. */
  constant(name: string, shape: number[], values?: number[], low = -0.5, high = 0.5): string {
    const count = shape.reduce((a, b) => a * b, 1);
    const data = values
      ? Float32Array.from(values)
      : Float32Array.from({ length: count }, () => low + (high - low) * this.random());
    this.constants.push({ name, values: data, shape });
    this.nodes.push({ name, op: 'Const', attr: { dtype: attr.float32 } });
    return name;
  }

  ints(name: string, values: number[], shape = [values.length]): string {
    this.constants.push({ name, values: Int32Array.from(values), shape });
    this.nodes.push({ name, op: 'Const', attr: { dtype: { type: 'DT_INT32' } } });
    return name;
  }

  /** A node; convolutions and pools get TensorFlow's default dilations and data format unless given. */
  op(name: string, op: string, inputs: string[], extra: Attr = {}): string {
    const windowed = /Conv|Pool/.test(op);
    const defaults = windowed ? { dilations: attr.ints([1, 1, 1, 1]), data_format: attr.text('NHWC') } : {};
    this.nodes.push({ name, op, inputs, attr: { T: attr.float32, ...defaults, ...extra } });
    return name;
  }

  /** Deterministic uniform values in [0, 1) (a linear congruential generator). */
  private random(): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
    return this.seed / 2147483648;
  }

  /** Writes `directory/model.json` and `directory/group1-shard1of1.bin`; returns model.json's path. */
  write(directory: string, outputs: string[], float16 = false): string {
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    const parts: Buffer[] = [];
    const weights = this.constants.map(({ name, values, shape }) => {
      if (values instanceof Int32Array) {
        parts.push(Buffer.from(values.buffer));
        return { name, shape, dtype: 'int32' };
      }
      if (!float16) {
        parts.push(Buffer.from(values.buffer));
        return { name, shape, dtype: 'float32' };
      }
      parts.push(Buffer.from(toFloat16(values).buffer));
      return { name, shape, dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } };
    });
    writeFileSync(join(directory, 'group1-shard1of1.bin'), Buffer.concat(parts));
    const json = {
      format: 'graph-model',
      generatedBy: '2.11.0',
      convertedBy: 'segc tests',
      signature: {
        inputs: Object.fromEntries(
          this.nodes.filter((n) => n.op === 'Placeholder').map((n) => [`${n.name}:0`, { name: `${n.name}:0` }]),
        ),
        outputs: Object.fromEntries(outputs.map((name) => [`${name}:0`, { name: `${name}:0` }])),
      },
      modelTopology: {
        node: this.nodes.map(({ name, op, inputs, attr }) => ({ name, op, input: inputs ?? [], attr: attr ?? {} })),
        library: {},
        versions: {},
      },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }],
    };
    writeFileSync(join(directory, 'model.json'), JSON.stringify(json));
    return join(directory, 'model.json');
  }
}

/** IEEE half precision, rounding to nearest (enough for the values the tests write). */
function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const view = new DataView(new ArrayBuffer(4));
  for (const [i, value] of values.entries()) {
    view.setFloat32(0, value);
    const bits = view.getUint32(0);
    const sign = (bits >>> 16) & 0x8000;
    const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
    const mantissa = bits & 0x7fffff;
    if (exponent <= 0) out[i] = sign;
    else if (exponent >= 31) out[i] = sign | 0x7c00;
    else out[i] = sign | (exponent << 10) | ((mantissa + 0x1000) >> 13);
  }
  return out;
}

/** tfjs-converter's loader, reading model.json and its shards from disk. */
export async function loadReference(file: string): Promise<GraphModel> {
  const json = JSON.parse(readFileSync(file, 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    format?: string;
    signature?: object;
  };
  const shards = json.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dirname(file), p))));
  const bytes = Buffer.concat(shards);
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: json.modelTopology,
      format: json.format,
      signature: json.signature,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    }),
  };
  return loadGraphModel(handler);
}
