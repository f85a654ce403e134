/**
 * Runs an exported model on ONNX Runtime. The runtime module is passed in (onnxruntime-node in
 * Node, onnxruntime-web in a browser), so this file imports neither: both are optional, and
 * only the parts of their shared API used here are typed.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
  dispose?(): void;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** The part of `onnxruntime-node` / `onnxruntime-web` segc uses. */
export interface OnnxRuntimeModule {
  readonly InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  readonly Tensor: new (
    type: 'float32' | 'int32',
    data: Float32Array | Int32Array,
    dims: readonly number[],
  ) => OrtTensor;
}

export interface EngineOptions {
  /** Threads inside one op (onnxruntime-node); absent lets ONNX Runtime decide. */
  readonly threads?: number;
  /** Execution providers in order of preference (`['webgpu', 'wasm']` in a browser). */
  readonly executionProviders?: readonly string[];
  /** The session's log severity: 0 verbose … 2 warning (ONNX Runtime's default) … 4 fatal. */
  readonly logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

/** Host arrays in and out, for callers that do not want tfjs tensors. */
export interface HostArray {
  readonly data: Float32Array | Int32Array;
  readonly dims: readonly number[];
}

export class OnnxEngine {
  readonly name = 'onnx';

  private constructor(
    private readonly runtime: OnnxRuntimeModule,
    private readonly session: OrtSession,
  ) {}

  static async create(runtime: OnnxRuntimeModule, model: Uint8Array, options: EngineOptions = {}): Promise<OnnxEngine> {
    const sessionOptions: Record<string, unknown> = { graphOptimizationLevel: 'all' };
    if (options.threads !== undefined) sessionOptions.intraOpNumThreads = options.threads;
    if (options.executionProviders) sessionOptions.executionProviders = [...options.executionProviders];
    if (options.logSeverityLevel !== undefined) sessionOptions.logSeverityLevel = options.logSeverityLevel;
    return new OnnxEngine(runtime, await runtime.InferenceSession.create(model, sessionOptions));
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs the model on host arrays; returns every output by name. */
  async runArrays(inputs: Readonly<Record<string, HostArray>>): Promise<Record<string, HostArray>> {
    const feeds: Record<string, OrtTensor> = {};
    for (const [name, value] of Object.entries(inputs))
      feeds[name] = new this.runtime.Tensor(
        value.data instanceof Int32Array ? 'int32' : 'float32',
        value.data,
        value.dims,
      );
    const results = await this.session.run(feeds);
    const outputs: Record<string, HostArray> = {};
    for (const [name, tensor] of Object.entries(results)) {
      outputs[name] = { data: tensor.data as Float32Array | Int32Array, dims: [...tensor.dims] };
    }
    return outputs;
  }

  /** Runs the model on tfjs tensors (read from the current backend) and answers tfjs tensors. */
  async run(inputs: Readonly<Record<string, tf.Tensor>>): Promise<Record<string, tf.Tensor>> {
    const host: Record<string, HostArray> = {};
    for (const [name, tensor] of Object.entries(inputs)) {
      const data = await tensor.data();
      host[name] = {
        data: data instanceof Int32Array ? data : Float32Array.from(data as Float32Array),
        dims: tensor.shape,
      };
    }
    const outputs = await this.runArrays(host);
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, value] of Object.entries(outputs))
      tensors[name] = tf.tensor(value.data, [...value.dims], value.data instanceof Int32Array ? 'int32' : 'float32');
    return tensors;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
