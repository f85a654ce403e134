/**
 * Derives, from the graph alone, how each output can be explained (see docs/explain.md).
 *
 * The Grad-CAM target rule: a tensor annotated `@gradcam` that the score depends on wins;
 * otherwise the target is the latest 4-D tensor that lies on every path from the model inputs
 * to the score (a dominator of the score), other than the score itself and the upsampling that
 * ends the model. A tensor on only some paths (one branch of ASPP, a side branch) would show
 * only what that branch contributes, so it is never chosen, however late it comes.
 */
import type { Graph, GraphOutput, IRNode } from '../../graph.js';
import { findOp } from '../../../ops/registry.js';
import { isPixelScores, outputKind } from '../output-kind.js';
import { ancestors, dominatorChain, describeNode, hasAnnotation, isFeatureMap, lastAxisSize } from './graph-walk.js';
import { exactCam, findAcolBranches, isClassMapOutput } from './exact-cam.js';
import type { ExplanationPlan, ExplanationSurvey, OutputKind, SkippedOutput, TargetLayer } from './plan.js';

interface Score {
  readonly node: IRNode;
  readonly reason: string;
}

/** The pre-activation input of a final softmax or sigmoid: gradients of probabilities saturate. */
function scoreOf(graph: Graph, output: IRNode): Score {
  if (findOp(output.op)?.outputActivation) {
    const input = graph.nodes[output.inputs[0]!]!;
    return {
      node: input,
      reason: `the output is ${output.op}(${describeNode(input)}); the score is taken before the ${output.op}`,
    };
  }
  return { node: output, reason: 'the output itself' };
}

function kindOf(graph: Graph, score: IRNode): OutputKind | string {
  if (score.type.dtype !== 'f32') return 'it holds integers (class indices), which have no gradient';
  const kind = outputKind(score);
  if (kind.kind === 'class-scores') return 'classification';
  if (isPixelScores(kind)) return isClassMapOutput(graph, score.id) ? 'classmap' : 'segmentation';
  return `it has rank ${score.type.shape.length}; explanations need scores [N, classes] or [N, H, W, classes]`;
}

function annotatedTarget(graph: Graph, score: number): TargetLayer | undefined {
  const reach = ancestors(graph, score);
  const node = graph.nodes.filter((n) => reach.has(n.id) && hasAnnotation(n, 'gradcam') && isFeatureMap(n)).at(-1);
  return node ? { node: node.id, name: node.name, reason: `${describeNode(node)} is annotated @gradcam` } : undefined;
}

/** The dominators of the score, nearest first, without the score and the upsampling that ends the model. */
function candidates(graph: Graph, chain: readonly number[]): number[] {
  const rest = chain.slice(1);
  let start = 0;
  const resamples = (id: number) => findOp(graph.nodes[id]!.op)?.resamples === true;
  if (resamples(chain[0]!)) while (start < rest.length && resamples(rest[start]!)) start++;
  return rest.slice(start);
}

function dominatorTarget(graph: Graph, score: number): TargetLayer | string {
  const chain = dominatorChain(graph, score);
  const chosen = candidates(graph, chain).find(
    (id) => isFeatureMap(graph.nodes[id]!) && graph.nodes[id]!.op !== 'input',
  );
  if (chosen === undefined)
    return `no 4-D feature map lies on every path from the input to the score ${describeNode(graph.nodes[score]!)}`;
  const node = graph.nodes[chosen]!;
  const reason = `the last 4-D tensor on every path from the input to the score ${describeNode(graph.nodes[score]!)}${passedOver(graph, score, chain, chosen)}`;
  return { node: node.id, name: node.name, reason };
}

/** Says how many feature maps after the dominator below the target lie on only some paths (branches). */
function passedOver(graph: Graph, score: number, chain: readonly number[], chosen: number): string {
  const below = chain[chain.indexOf(chosen) + 1] ?? -1;
  const reach = ancestors(graph, score);
  const onEveryPath = new Set(chain);
  const count = graph.nodes.filter(
    (n) => n.id > below && n.id !== score && reach.has(n.id) && isFeatureMap(n) && !onEveryPath.has(n.id),
  ).length;
  return count > 0
    ? `; ${count} feature map(s) on parallel or side branches lie on only some of the paths and were passed over`
    : '';
}

function planOutput(graph: Graph, output: GraphOutput): ExplanationPlan | SkippedOutput {
  const score = scoreOf(graph, graph.nodes[output.node]!);
  const kind = kindOf(graph, score.node);
  if (kind !== 'classification' && kind !== 'segmentation' && kind !== 'classmap')
    return { output: output.name, reason: kind };
  const classes = lastAxisSize(score.node);
  if (classes === undefined) return { output: output.name, reason: 'its class axis has no fixed size' };
  const target = annotatedTarget(graph, score.node.id) ?? dominatorTarget(graph, score.node.id);
  const cam = exactCam(graph, score.node.id, kind, classes);
  return {
    output: output.name,
    outputNode: output.node,
    kind,
    score: score.node.id,
    scoreReason: score.reason,
    classes,
    ...(typeof target === 'string' ? { targetProblem: target } : { target }),
    ...(cam ? { cam } : {}),
  };
}

function withAcol(graph: Graph, plans: readonly ExplanationPlan[]): ExplanationPlan[] {
  const channelMaps = plans
    .filter((p) => p.kind === 'classification' && p.cam?.kind === 'channel')
    .map((p) => (p.cam as { map: number }).map);
  const acol = findAcolBranches(graph, channelMaps);
  if (!acol) return [...plans];
  return plans.map((plan) => {
    const reach = ancestors(graph, plan.score);
    const camMap = plan.cam?.kind === 'channel' ? plan.cam.map : undefined;
    const part =
      camMap === acol.first ||
      camMap === acol.second ||
      (plan.kind === 'classmap' && reach.has(acol.first) && reach.has(acol.second));
    return part ? { ...plan, acol } : plan;
  });
}

/** Every output, explained or skipped with a reason. */
export function surveyOutputs(graph: Graph): ExplanationSurvey {
  const plans: ExplanationPlan[] = [];
  const skipped: SkippedOutput[] = [];
  for (const output of graph.outputs) {
    const result = planOutput(graph, output);
    if ('kind' in result) plans.push(result);
    else skipped.push(result);
  }
  return { plans: withAcol(graph, plans), skipped };
}

/** One plan per output that can be explained, in the order of the outputs. */
export function deriveExplanations(graph: Graph): ExplanationPlan[] {
  return [...surveyOutputs(graph).plans];
}
