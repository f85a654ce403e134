/**
 * What a model is trained for, read from its graph: per-pixel logits [N, H, W, C] as the first
 * output make a segmentation model; per-image logits [N, C] a classifier; two per-image outputs
 * and an `erase` node an ACoL model (two branches, both trained on the label, erasing steered by
 * the label).
 */
import type { Preprocessing } from '../ir/preprocessing.js';
import { isPixelScores, outputKind } from '../ir/analysis/output-kind.js';
import type { Graph, IRNode } from '../ir/graph.js';
import { constValue } from '../shapes/symbolic.js';
import { findOp } from '../ops/registry.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export type TaskKind = 'segmentation' | 'classification' | 'acol';

export interface Task {
  readonly kind: TaskKind;
  /** The outputs the loss reads: one, or ACoL's two branches. */
  readonly outputs: readonly string[];
  readonly classes: number;
}

export interface InputSpec {
  readonly name: string;
  /** Fixed height and width, or undefined when symbolic. */
  readonly height?: number;
  readonly width?: number;
  readonly channels: number;
  /** The input's `@preprocess`, when it declares one; training feeds images the same way. */
  readonly preprocessing?: Preprocessing;
}

function outputNode(graph: Graph, index: number): IRNode | undefined {
  const output = graph.outputs[index];
  return output && graph.nodes[output.node];
}

function classCount(node: IRNode, graph: Graph): number {
  const classes = constValue(node.type.shape[node.type.shape.length - 1]!);
  if (classes === undefined)
    throw diagnosticError(codes.unknownTask, `the output of \`${graph.model}\` has no fixed class count`, {
      hint: 'the last axis of the logits must be a number of classes',
      span: node.span,
    });
  return classes;
}

export function inferTask(graph: Graph): Task {
  const first = outputNode(graph, 0);
  const kind = first && outputKind(first);
  if (!first || !kind || (kind.kind !== 'class-scores' && !isPixelScores(kind))) {
    const shown = first
      ? `[${first.type.shape.map((d) => constValue(d) ?? (d.kind === 'sym' ? d.name : '?')).join(', ')}]`
      : 'none';
    throw diagnosticError(
      codes.unknownTask,
      `cannot tell what \`${graph.model}\` is trained for: its first output has shape ${shown}`,
      { hint: 'the first output must be logits, [N, H, W, C] for segmentation or [N, C] for classification' },
    );
  }
  const name = graph.outputs[0]!.name;
  if (isPixelScores(kind)) return { kind: 'segmentation', outputs: [name], classes: classCount(first, graph) };
  const second = outputNode(graph, 1);
  const erases = graph.nodes.some((node) => findOp(node.op)?.erasing !== undefined);
  if (erases && second && outputKind(second).kind === 'class-scores') {
    return { kind: 'acol', outputs: [name, graph.outputs[1]!.name], classes: classCount(first, graph) };
  }
  return { kind: 'classification', outputs: [name], classes: classCount(first, graph) };
}

/** The model's (first) image input. */
export function inputSpec(graph: Graph): InputSpec {
  const input = graph.inputs[0];
  const node = input && graph.nodes[input.node];
  if (!input || !node || node.type.shape.length !== 4) {
    throw diagnosticError(codes.inputDoesNotFit, `\`${graph.model}\` must take one image input [N, H, W, C]`);
  }
  const [, height, width, channels] = node.type.shape.map(constValue);
  if (channels === undefined)
    throw diagnosticError(codes.inputDoesNotFit, `the input \`${input.name}\` has no fixed channel count`, {
      span: node.span,
    });
  return {
    name: input.name,
    channels,
    ...(input.preprocessing ? { preprocessing: input.preprocessing } : {}),
    ...(height !== undefined ? { height } : {}),
    ...(width !== undefined ? { width } : {}),
  };
}
