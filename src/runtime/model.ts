/**
 * A runnable model: the compiled graph, its weights (tfjs variables), and two executors — one on
 * the inference graph (batch norm folded, activations fused) and one on the graph as written, for
 * training and gradients. Browser-safe: no Node imports.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Span } from '../diagnostics/diagnostic.js';
import type { Graph, IRNode } from '../ir/graph.js';
import { runPasses } from '../ir/passes/index.js';
import { findOp } from '../ops/registry.js';
import type { SizeSpace } from '../shapes/sizes.js';
import { Executor, type RunOptions, type RunResult } from './executor.js';
import { type InitSpec, initWeights } from './weights-init.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export interface WeightDeclaration {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
  readonly init: 'heNormal' | 'glorotUniform' | 'zeros' | 'ones';
  readonly trainable: boolean;
  /** False for weights under `@frozen`. */
  readonly train: boolean;
  readonly declaredAt: Span;
}

/** Every weight the graph declares, in graph order. */
export function weightDeclarations(graph: Graph): WeightDeclaration[] {
  return graph.nodes.flatMap((node) => {
    const frozen = node.annotations.some((a) => a.name === 'frozen');
    return node.weights.map((w) => ({
      name: w.name,
      shape: w.shape,
      dtype: 'float32' as const,
      init: w.init,
      trainable: w.trainable,
      train: w.trainable && !frozen,
      declaredAt: node.span,
    }));
  });
}

/**
 * Seeded initial weights for a graph. An op whose weight's fan-in is not Keras's rule from its
 * shape says so (`fanIn`: depthwise kernels use kh·kw, as PyTorch's grouped convolutions do).
 */
export function initialWeights(graph: Graph, seed: number): Map<string, tf.Tensor> {
  const specs: InitSpec[] = graph.nodes.flatMap((node) =>
    node.weights.map((w) => {
      const fanIn = findOp(node.op)?.fanIn?.(w.role, w.shape);
      return { name: w.name, shape: w.shape, init: w.init, ...(fanIn !== undefined ? { fanIn } : {}) };
    }),
  );
  return initWeights(specs, seed);
}

/**
 * An executor outside tfjs that runs the inference graph (ONNX Runtime, see src/onnx): tensors
 * in, tensors out, asynchronously. It holds its own copy of the weights.
 */
export interface InferenceEngine {
  readonly name: string;
  run(inputs: Readonly<Record<string, tf.Tensor>>): Promise<Record<string, tf.Tensor>>;
  dispose(): void | Promise<void>;
}

export class SegModel {
  readonly inference: Graph;
  private readonly inferenceExecutor: Executor;
  private readonly trainingExecutor: Executor;
  private engine: InferenceEngine | undefined;
  private disposed = false;

  constructor(
    /** The graph as written (`source` passes only). */
    readonly graph: Graph,
    readonly sizes: SizeSpace,
    /** Weights by name; owned by the model. */
    readonly weights: Map<string, tf.Variable>,
  ) {
    this.inference = runPasses(graph, sizes, { mode: 'inference' }, []);
    this.inferenceExecutor = new Executor(this.inference, weights);
    this.trainingExecutor = new Executor(graph, weights);
  }

  /** Creates variables from initial or loaded tensors (which stay owned by the caller). */
  static fromTensors(graph: Graph, sizes: SizeSpace, tensors: ReadonlyMap<string, tf.Tensor>): SegModel {
    const variables = new Map<string, tf.Variable>();
    for (const declaration of weightDeclarations(graph)) {
      const tensor = tensors.get(declaration.name);
      if (!tensor)
        throw diagnosticError(codes.missingWeight, `no value for the weight \`${declaration.name}\``, {
          span: declaration.declaredAt,
        });
      // Unnamed: tfjs variable names are global, and two models may share weight names.
      variables.set(declaration.name, tf.variable(tensor, declaration.train));
    }
    return new SegModel(graph, sizes, variables);
  }

  /** A model on seeded random weights (He / Glorot as each op declares). */
  static random(graph: Graph, sizes: SizeSpace, seed = 0): SegModel {
    const tensors = initialWeights(graph, seed);
    try {
      return SegModel.fromTensors(graph, sizes, tensors);
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
  }

  /** The current weight values (for saving). */
  weightTensors(): Map<string, tf.Tensor> {
    return new Map(this.weights);
  }

  get inputNames(): string[] {
    return this.graph.inputs.map((i) => i.name);
  }

  get outputNames(): string[] {
    return this.graph.outputs.map((o) => o.name);
  }

  /** Inference: named outputs for named inputs (a single tensor is the first input). */
  predict(inputs: tf.Tensor | Readonly<Record<string, tf.Tensor>>): Record<string, tf.Tensor> {
    const named = this.nameInputs(inputs);
    return this.inferenceExecutor.run(named).outputs;
  }

  /**
   * Inference on the engine in use (`useEngine`), else on tfjs as `predict`. The same checks
   * on the inputs, the same named outputs.
   */
  async predictAsync(inputs: tf.Tensor | Readonly<Record<string, tf.Tensor>>): Promise<Record<string, tf.Tensor>> {
    const named = this.nameInputs(inputs);
    return this.engine ? this.engine.run(named) : this.inferenceExecutor.run(named).outputs;
  }

  /**
   * Runs `predictAsync` on another executor from now on; the model owns it and disposes it.
   * The engine keeps the weights it was built with: build it again after training.
   */
  useEngine(engine: InferenceEngine | undefined): void {
    if (this.engine && this.engine !== engine) void this.engine.dispose();
    this.engine = engine;
  }

  /** `tfjs`, or the name of the engine `predictAsync` runs on. */
  get executorName(): string {
    return this.engine?.name ?? 'tfjs';
  }

  /**
   * Runs the graph as written: training mode (batch statistics, dropout, erasing with targets),
   * or any run that a gradient will be taken through. Node ids refer to `graph`.
   */
  run(inputs: tf.Tensor | Readonly<Record<string, tf.Tensor>>, options: RunOptions = {}): RunResult {
    return this.trainingExecutor.run(this.nameInputs(inputs), options);
  }

  /** The trainable variables (not frozen, not batch-norm statistics). */
  trainableVariables(): tf.Variable[] {
    return weightDeclarations(this.graph)
      .filter((d) => d.train)
      .map((d) => this.weights.get(d.name)!);
  }

  node(name: string): IRNode | undefined {
    return this.graph.nodes.find((n) => n.name === name || n.binding === name);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.useEngine(undefined);
    this.inferenceExecutor.dispose();
    this.trainingExecutor.dispose();
    for (const v of this.weights.values()) v.dispose();
  }

  private nameInputs(inputs: tf.Tensor | Readonly<Record<string, tf.Tensor>>): Record<string, tf.Tensor> {
    if (this.disposed)
      throw diagnosticError(codes.inputUnusable, `the model \`${this.graph.model}\` was disposed`, {
        hint: 'create the model again to run it',
      });
    if (typeof inputs !== 'object' || inputs === null) {
      throw diagnosticError(
        codes.inputUnusable,
        `predict expects a tensor or an object of named tensors, got ${inputs === null ? 'null' : typeof inputs}`,
        { hint: `the model's inputs: ${this.inputNames.join(', ')}` },
      );
    }
    const named = inputs instanceof tf.Tensor ? { [this.inputNames[0]!]: inputs } : { ...inputs };
    for (const input of this.graph.inputs)
      this.checkInput(input.name, this.graph.nodes[input.node]!, named[input.name]);
    return named;
  }

  /** A tfjs tensor, not disposed, of the declared dtype: tfjs's own errors would not name the input. */
  private checkUsable(name: string, node: IRNode, tensor: unknown): void {
    const where = { span: node.span };
    // By its fields rather than instanceof: a tensor from another copy of tfjs-core is fine.
    if (
      typeof tensor !== 'object' ||
      tensor === null ||
      !('dtype' in tensor) ||
      !('shape' in tensor) ||
      !('isDisposed' in tensor)
    ) {
      throw diagnosticError(codes.inputUnusable, `the input \`${name}\` is not a tensor`, {
        ...where,
        hint: 'pass a tf.Tensor, e.g. tf.tensor4d(values, [1, height, width, 3])',
      });
    }
    const given = tensor as tf.Tensor;
    if (given.isDisposed) {
      throw diagnosticError(codes.inputUnusable, `the input \`${name}\` was disposed before predict`, {
        ...where,
        hint: 'keep the tensor until predict returns (dispose it afterwards)',
      });
    }
    const dtype = node.type.dtype === 'i32' ? 'int32' : 'float32';
    if (given.dtype !== dtype) {
      throw diagnosticError(
        codes.inputUnusable,
        `the input \`${name}\` must be ${dtype} (${node.type.dtype}), got ${given.dtype}`,
        { ...where, hint: `convert it first: tf.cast(tensor, '${dtype}')` },
      );
    }
  }

  /** The tensor must have the declared rank, fixed sizes, and sizes that satisfy the `where` clauses. */
  private checkInput(name: string, node: IRNode, tensor: tf.Tensor | undefined): void {
    const declared = node.type.shape;
    const where = { span: node.span };
    if (!tensor)
      throw diagnosticError(codes.missingInput, `no tensor given for the input \`${name}\``, {
        ...where,
        hint: `the model's inputs: ${this.inputNames.join(', ')}`,
      });
    this.checkUsable(name, node, tensor);
    if (tensor.rank !== declared.length) {
      throw diagnosticError(
        codes.wrongInputRank,
        `the input \`${name}\` must have rank ${declared.length}, got shape [${tensor.shape.join(', ')}]`,
        where,
      );
    }
    const env = new Map<string, number>();
    declared.forEach((d, axis) => {
      const actual = tensor.shape[axis]!;
      if (d.kind === 'sym') {
        const bound = env.get(d.name);
        if (bound !== undefined && bound !== actual)
          throw diagnosticError(
            codes.wrongInputSize,
            `the input \`${name}\` has ${actual} on axis ${axis}, but ${d.name} is ${bound}`,
            where,
          );
        env.set(d.name, actual);
      } else if (d.kind === 'const' && d.value !== actual) {
        throw diagnosticError(
          codes.wrongInputSize,
          `the input \`${name}\` must have size ${d.value} on axis ${axis}, got ${actual}`,
          {
            ...where,
            hint: `shape [${tensor.shape.join(', ')}]`,
          },
        );
      }
    });
    for (const constraint of this.sizes.constraints) {
      if (!constraint.symbols.every((s) => env.has(s)) || constraint.holds(env)) continue;
      const values = constraint.symbols.map((s) => `${s} = ${env.get(s)}`).join(', ');
      throw diagnosticError(
        codes.inputBreaksConstraint,
        `the input \`${name}\` has ${values}, which breaks \`${constraint.text}\``,
        {
          ...where,
          hint: 'resize the input to a size the model accepts',
        },
      );
    }
  }
}
