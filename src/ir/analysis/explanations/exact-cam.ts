/**
 * Where an architecture gives class activation maps exactly, without gradients: a GAP → dense
 * head (CAM, Zhou et al. 2016), a NIN head or any `@classmap` tensor (the class channel is the
 * map), and ACoL's two branches (Zhang et al. 2018).
 */
import type { Graph, IRNode } from '../../graph.js';
import { tensorParams } from '../../../ops/op.js';
import { findOp } from '../../../ops/registry.js';
import {
  ancestors,
  dataInputs,
  describeNode,
  hasAnnotation,
  isFeatureMap,
  lastAxisSize,
  throughIdentities,
} from './graph-walk.js';
import type { AcolBranches, ExactCam, OutputKind } from './plan.js';

/** A global average pool to [N, C] (not one that keeps the spatial axes as [N, 1, 1, C]). */
const isGlobalAverage = (node: IRNode) => findOp(node.op)?.globalPool === 'average' && node.type.shape.length === 2;

/** An op that resizes each channel on its own: a class map resampled is still a class map. */
const resamples = (node: IRNode) => findOp(node.op)?.resamples === true;

/** An element-wise maximum (ACoL's fused map of its two branches). */
const isMaximum = (node: IRNode) => findOp(node.op)?.combines === 'maximum';

/** dense(gap(f)) with no activation (any op `linearInChannels`): Σ_k w[k, c] f_k is exact up to the bias. */
function denseHead(graph: Graph, score: number): ExactCam | undefined {
  const head = graph.nodes[throughIdentities(graph, score)]!;
  if (!findOp(head.op)?.linearInChannels || (head.attrs.activation ?? 'none') !== 'none') return undefined;
  const pooled = graph.nodes[throughIdentities(graph, head.inputs[0]!)]!;
  if (!isGlobalAverage(pooled)) return undefined;
  const features = graph.nodes[pooled.inputs[0]!]!;
  const reason = `the score is dense(gap(${describeNode(features)})): class c's map is Σ_k w[k, c] · f_k with the kernel of ${describeNode(head)}`;
  return { kind: 'dense', features: features.id, dense: head.id, reason };
}

/** The name of the weight w of a CAM head's linear layer (its `linearInChannels` kernel, [K, classes]). */
export function camKernelWeight(head: IRNode): string {
  const role = findOp(head.op)?.linearInChannels?.kernel;
  const weight = head.weights.find((w) => w.role === role);
  if (!weight) throw new Error(`${head.name} (${head.op}) declares no linear kernel: it is no CAM head`);
  return weight.name;
}

/** gap(X) is the score: class c's logit is the mean of channel c of X, which is its map. */
function poolingHead(graph: Graph, score: number): ExactCam | undefined {
  const head = graph.nodes[throughIdentities(graph, score)]!;
  if (!isGlobalAverage(head)) return undefined;
  const map = graph.nodes[head.inputs[0]!]!;
  const annotated = hasAnnotation(map, 'classmap') ? ', annotated @classmap' : '';
  return {
    kind: 'channel',
    map: map.id,
    reason: `the score is gap(${describeNode(map)}) (a NIN-style head${annotated}): channel c is class c's map`,
  };
}

/** The latest `@classmap` feature map the score depends on with one channel per class. */
function annotatedMap(graph: Graph, score: number, classes: number): ExactCam | undefined {
  const reach = ancestors(graph, score);
  const candidates = graph.nodes.filter(
    (n) => reach.has(n.id) && hasAnnotation(n, 'classmap') && isFeatureMap(n) && lastAxisSize(n) === classes,
  );
  const map = candidates.at(-1);
  return map
    ? {
        kind: 'channel',
        map: map.id,
        reason: `${describeNode(map)} is annotated @classmap: channel c is class c's map`,
      }
    : undefined;
}

export function exactCam(graph: Graph, score: number, kind: OutputKind, classes: number): ExactCam | undefined {
  if (kind === 'classmap') {
    return { kind: 'channel', map: score, reason: `the output is itself a class map: channel c is class c's map` };
  }
  const structural = kind === 'classification' ? (denseHead(graph, score) ?? poolingHead(graph, score)) : undefined;
  return structural ?? annotatedMap(graph, score, classes);
}

/** The tensors an erasing op (`erase`) reads its class map from (branch A of an ACoL head). */
function erasingMaps(graph: Graph): Set<number> {
  const maps = new Set<number>();
  for (const node of graph.nodes) {
    const op = findOp(node.op);
    if (!op?.erasing) continue;
    const input = node.inputs[tensorParams(op).findIndex((p) => p.name === op.erasing!.classMaps)];
    if (input !== undefined) maps.add(input);
  }
  return maps;
}

function ordered(graph: Graph, pair: readonly [number, number], reason: string): AcolBranches {
  const erasing = erasingMaps(graph);
  const [a, b] = pair;
  const firstIsB = erasing.has(b) && !erasing.has(a);
  const [first, second] = firstIsB ? [b, a] : a < b ? [a, b] : [b, a];
  const erased = erasing.has(first)
    ? `; ${describeNode(graph.nodes[first]!)} drives the erasing, so it is branch A`
    : '';
  return { first, second, reason: reason + erased };
}

/**
 * An ACoL head: a `max` of two `@classmap` tensors, or else two classification outputs that are
 * each gap(@classmap) with the same number of classes.
 */
export function findAcolBranches(graph: Graph, channelMaps: readonly number[]): AcolBranches | undefined {
  const classMap = (id: number) => hasAnnotation(graph.nodes[id]!, 'classmap');
  const fused = graph.nodes.find((n) => isMaximum(n) && n.inputs.length === 2 && n.inputs.every(classMap));
  if (fused)
    return ordered(
      graph,
      [fused.inputs[0]!, fused.inputs[1]!],
      `${describeNode(fused)} is the maximum of two @classmap tensors`,
    );
  const maps = [...new Set(channelMaps.filter(classMap))];
  if (maps.length !== 2) return undefined;
  const [a, b] = maps as [number, number];
  if (lastAxisSize(graph.nodes[a]!) !== lastAxisSize(graph.nodes[b]!)) return undefined;
  return ordered(graph, [a, b], 'two classification outputs are each gap(@classmap) over the same classes');
}

/** Whether an output is a class map: @classmap, or a `max` of class maps, possibly upsampled. */
export function isClassMapOutput(graph: Graph, id: number): boolean {
  let node = graph.nodes[throughIdentities(graph, id)]!;
  while (resamples(node)) node = graph.nodes[throughIdentities(graph, dataInputs(node)[0]!)]!;
  if (hasAnnotation(node, 'classmap')) return true;
  return isMaximum(node) && node.inputs.every((input) => hasAnnotation(graph.nodes[input]!, 'classmap'));
}
