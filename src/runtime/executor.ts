/**
 * Runs an IR graph on tfjs. Nodes run in order; each op's own `execute` does the work. At
 * inference every intermediate tensor is released as soon as its last reader has run, and
 * everything is released if a node throws. When a gradient will be taken, intermediates are left
 * to the enclosing `tf.grad`/`tidy` scope, which needs them for the backward pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InternalError } from '../diagnostics/diagnostic.js';
import type { Graph, IRNode } from '../ir/graph.js';
import { findOp } from '../ops/registry.js';
import type { OpDef, RunContext } from '../ops/op.js';
import { prepareFoldedWeights } from './fold-weights.js';
import type { WeightStore } from './weight-store.js';

export interface RunOptions {
  readonly training?: boolean;
  /** Target class per batch item (ACoL erasing reads it in training). */
  readonly targetClasses?: tf.Tensor1D;
  readonly seed?: number;
  /** Set when a gradient will be taken through this run: keeps intermediates, uses differentiable kernels. */
  readonly needsGradient?: boolean;
  /** Extra node ids whose values the caller wants back (a Grad-CAM target layer, a feature map). */
  readonly keep?: readonly number[];
  /** Receives batch-norm statistics in training mode: (weight name, new value). */
  readonly updateState?: (weight: string, value: tf.Tensor) => void;
  /** Replaces the value of a node before its readers run (Grad-CAM differentiates w.r.t. it). */
  readonly substitute?: ReadonlyMap<number, tf.Tensor>;
  /**
   * Runs only these nodes (the others' readers must be among them or substituted); outputs
   * outside it are left out of the result. Grad-CAM runs only the part from its layer to the score.
   */
  readonly only?: ReadonlySet<number>;
}

export interface RunResult {
  readonly outputs: Record<string, tf.Tensor>;
  readonly kept: Map<number, tf.Tensor>;
}

export type { WeightStore } from './weight-store.js';

export class Executor {
  private readonly ops: (OpDef | undefined)[];
  private readonly lastUse: number[];
  /** Folded weights per node, with the data ids of the weights they were computed from. */
  private prepared = new Map<
    number,
    { readonly weights: Record<string, tf.Tensor>; readonly sources: readonly unknown[] }
  >();

  constructor(
    readonly graph: Graph,
    private readonly weights: WeightStore,
  ) {
    this.ops = graph.nodes.map((node) => (node.op === 'input' ? undefined : requireOp(node)));
    this.lastUse = lastUses(graph);
  }

  run(inputs: Readonly<Record<string, tf.Tensor>>, options: RunOptions = {}): RunResult {
    const values = new Map<number, tf.Tensor>();
    const hold = new Set<number>([...this.graph.outputs.map((o) => o.node), ...(options.keep ?? [])]);
    const eager = !options.needsGradient;
    try {
      this.graph.nodes.forEach((node, index) => {
        if (options.only && !options.only.has(index) && !options.substitute?.has(index)) return;
        const value = options.substitute?.get(index) ?? this.evaluate(node, values, inputs, options);
        values.set(index, value);
        if (eager) this.release(node, index, values, hold, options.substitute);
      });
      const outputs: Record<string, tf.Tensor> = {};
      for (const output of this.graph.outputs)
        if (values.has(output.node)) outputs[output.name] = values.get(output.node)!;
      const kept = new Map((options.keep ?? []).map((id) => [id, values.get(id)!] as [number, tf.Tensor]));
      return { outputs, kept };
    } catch (error) {
      if (eager)
        for (const [id, tensor] of values)
          if (!isInput(this.graph, id) && !options.substitute?.has(id)) tensor.dispose();
      throw error;
    }
  }

  /** Releases prepared (folded) weights; weights passed through unchanged belong to the model. */
  dispose(): void {
    for (const id of [...this.prepared.keys()]) this.forget(id);
  }

  /** Disposes a node's folded weights (those passed through unchanged belong to the model). */
  private forget(id: number): void {
    const cached = this.prepared.get(id);
    if (!cached) return;
    const owned = new Set(this.weights.values());
    for (const t of Object.values(cached.weights)) if (!owned.has(t)) t.dispose();
    this.prepared.delete(id);
  }

  private evaluate(
    node: IRNode,
    values: Map<number, tf.Tensor>,
    inputs: Readonly<Record<string, tf.Tensor>>,
    options: RunOptions,
  ): tf.Tensor {
    if (node.op === 'input') {
      const name = this.graph.inputs.find((i) => i.node === node.id)!.name;
      const tensor = inputs[name];
      if (!tensor) throw new InternalError(`no value given for the model input \`${name}\``);
      return tensor;
    }
    const context: RunContext = {
      training: options.training ?? false,
      seed: (options.seed ?? 0) + node.id,
      needsGradient: options.needsGradient ?? false,
      ...(options.targetClasses ? { targetClasses: options.targetClasses } : {}),
      ...(options.updateState
        ? { updateState: (role: string, value: tf.Tensor) => options.updateState!(`${node.name}/${role}`, value) }
        : {}),
    };
    const args = node.inputs.map((i) => values.get(i)!);
    const result = this.ops[node.id]!.execute({
      tf,
      inputs: args,
      weights: this.weightsOf(node, options),
      attrs: node.attrs,
      context,
    });
    // An op may hand back its input (dropout at inference); a distinct handle keeps release safe.
    return args.includes(result) ? tf.clone(result) : result;
  }

  private weightsOf(node: IRNode, options: RunOptions): Record<string, tf.Tensor> {
    if (node.attrs.foldedBatchNorm !== undefined) {
      // Folding is an inference transformation; gradients must flow to the unfolded weights.
      if (options.needsGradient || options.training) return prepareFoldedWeights(node, this.weights);
      // A variable's data id changes when it is assigned (training): fold again then.
      const sources = node.weights.map((w) => this.weights.get(w.name)?.dataId);
      const cached = this.prepared.get(node.id);
      if (cached && cached.sources.every((id, i) => id === sources[i])) return cached.weights;
      this.forget(node.id);
      const weights = tf.tidy(() => prepareFoldedWeights(node, this.weights));
      for (const t of Object.values(weights)) tf.keep(t);
      this.prepared.set(node.id, { weights, sources });
      return weights;
    }
    const byRole: Record<string, tf.Tensor> = {};
    for (const w of node.weights) {
      const tensor = this.weights.get(w.name);
      if (!tensor) throw new InternalError(`weight \`${w.name}\` is not loaded`);
      byRole[w.role] = tensor;
    }
    return byRole;
  }

  /** Disposes the inputs this node was the last reader of; the caller's tensors are left alone. */
  private release(
    node: IRNode,
    index: number,
    values: Map<number, tf.Tensor>,
    hold: Set<number>,
    substitute?: ReadonlyMap<number, tf.Tensor>,
  ): void {
    for (const input of new Set(node.inputs)) {
      if (this.lastUse[input] === index && !hold.has(input) && !isInput(this.graph, input) && !substitute?.has(input)) {
        values.get(input)!.dispose();
        values.delete(input);
      }
    }
  }
}

function requireOp(node: IRNode): OpDef {
  const op = findOp(node.op);
  if (!op) throw new InternalError(`the graph uses an unknown op \`${node.op}\``);
  return op;
}

function isInput(graph: Graph, id: number): boolean {
  return graph.nodes[id]!.op === 'input';
}

/** The index of the last node reading each node (outputs read at the end). */
function lastUses(graph: Graph): number[] {
  const last = graph.nodes.map(() => -1);
  for (const node of graph.nodes) for (const input of node.inputs) last[input] = node.id;
  return last;
}
