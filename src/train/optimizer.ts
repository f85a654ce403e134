/**
 * SGD with momentum and Adam, written out so that their whole state is a set of named tensors
 * plus a step count: a checkpoint saves and restores it exactly, and the learning rate can
 * change every step (the poly schedule). The update rules are tfjs's and PyTorch's:
 *   SGD:  v ← μ·v + g;  w ← w − lr·v
 *   Adam: m ← β1·m + (1−β1)·g;  s ← β2·s + (1−β2)·g²;  w ← w − lr·(m / (1−β1ᵗ)) / (√(s / (1−β2ᵗ)) + ε)
 * Bias corrections are computed in double precision from the step count, so a resumed run
 * computes the same numbers as an uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export type OptimizerName = 'sgd' | 'adam';

export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'adam'];

export interface OptimizerOptions {
  readonly name: OptimizerName;
  /** SGD momentum μ; default 0.9. */
  readonly momentum?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/** The slots each optimizer keeps per weight. */
function slotNames(name: OptimizerName): readonly string[] {
  return name === 'sgd' ? ['velocity'] : ['firstMoment', 'secondMoment'];
}

export class Optimizer {
  /** Updates applied so far. */
  step = 0;
  private readonly slots = new Map<string, tf.Variable>();

  constructor(
    readonly options: OptimizerOptions,
    /** Weight name → variable, in a stable order. */
    private readonly variables: ReadonlyMap<string, tf.Variable>,
  ) {
    if (!OPTIMIZER_NAMES.includes(options.name)) {
      throw diagnosticError(codes.trainBadOption, `unknown optimizer \`${options.name}\``, {
        hint: `choose one of ${OPTIMIZER_NAMES.join(', ')}`,
      });
    }
    for (const [weight, variable] of variables) {
      for (const slot of slotNames(options.name)) {
        const zeros = tf.zerosLike(variable);
        this.slots.set(`${weight}/${slot}`, tf.variable(zeros, false));
        zeros.dispose();
      }
    }
  }

  /** Applies one update with learning rate `rate`; gradients by weight name. Disposes nothing it was given. */
  apply(gradients: ReadonlyMap<string, tf.Tensor>, rate: number): void {
    this.step += 1;
    tf.tidy(() => {
      for (const [weight, variable] of this.variables) {
        const gradient = gradients.get(weight);
        if (!gradient) continue;
        if (this.options.name === 'sgd') this.sgdUpdate(weight, variable, gradient, rate);
        else this.adamUpdate(weight, variable, gradient, rate);
      }
    });
  }

  /** The state tensors by name (`<weight>/velocity`, ...), owned by the optimizer. */
  state(): ReadonlyMap<string, tf.Variable> {
    return this.slots;
  }

  /** Restores state saved by `state()` and the step count. */
  restore(tensors: ReadonlyMap<string, tf.Tensor>, step: number): void {
    for (const [name, slot] of this.slots) {
      const saved = tensors.get(name);
      if (!saved || !tf.util.arraysEqual(saved.shape, slot.shape)) {
        throw diagnosticError(codes.badCheckpoint, `the checkpoint's optimizer state has no fitting \`${name}\``, {
          hint: 'resume with the optimizer and model the checkpoint was made with',
        });
      }
      slot.assign(saved);
    }
    this.step = step;
  }

  dispose(): void {
    for (const slot of this.slots.values()) slot.dispose();
    this.slots.clear();
  }

  private sgdUpdate(weight: string, variable: tf.Variable, gradient: tf.Tensor, rate: number): void {
    const velocity = this.slots.get(`${weight}/velocity`)!;
    const next = tf.add(tf.mul(velocity, this.options.momentum ?? 0.9), gradient);
    velocity.assign(next);
    variable.assign(tf.sub(variable, tf.mul(next, rate)));
  }

  private adamUpdate(weight: string, variable: tf.Variable, gradient: tf.Tensor, rate: number): void {
    const beta1 = this.options.beta1 ?? 0.9;
    const beta2 = this.options.beta2 ?? 0.999;
    const epsilon = this.options.epsilon ?? 1e-7;
    const first = this.slots.get(`${weight}/firstMoment`)!;
    const second = this.slots.get(`${weight}/secondMoment`)!;
    const nextFirst = tf.add(tf.mul(first, beta1), tf.mul(gradient, 1 - beta1));
    const nextSecond = tf.add(tf.mul(second, beta2), tf.mul(tf.square(gradient), 1 - beta2));
    first.assign(nextFirst);
    second.assign(nextSecond);
    const corrected = tf.div(nextFirst, 1 - beta1 ** this.step);
    const scale = tf.add(tf.sqrt(tf.div(nextSecond, 1 - beta2 ** this.step)), epsilon);
    variable.assign(tf.sub(variable, tf.mul(tf.div(corrected, scale), rate)));
  }
}
