/**
 * Checks what was asked of an explanation against the model before anything runs: the output,
 * the method, and the target layer. Every mistake becomes a diagnostic with a hint.
 */
import type { Span } from '../diagnostics/diagnostic.js';
import type { Graph, IRNode } from '../ir/graph.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { surveyOutputs } from '../ir/analysis/explanations/derive.js';
import { ancestors, describeNode, isFeatureMap } from '../ir/analysis/explanations/graph-walk.js';
import type { ExplanationPlan } from '../ir/analysis/explanations/plan.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export type ExplainMethod = 'cam' | 'gradcam' | 'gradcampp' | 'layercam' | 'acol';

export const EXPLAIN_METHODS: readonly ExplainMethod[] = ['cam', 'gradcam', 'gradcampp', 'layercam', 'acol'];

export const GRADIENT_METHODS: readonly ExplainMethod[] = ['gradcam', 'gradcampp', 'layercam'];

/** Where the model is declared, for diagnostics about the model as a whole. */
export function modelSpan(graph: Graph): Span | undefined {
  return graph.nodes[graph.inputs[0]?.node ?? -1]?.span;
}

/** Where an output is declared. */
export function outputSpan(graph: Graph, plan: ExplanationPlan): Span | undefined {
  return graph.outputs.find((o) => o.name === plan.output)?.span ?? modelSpan(graph);
}

export function checkMethod(method: string): ExplainMethod {
  if ((EXPLAIN_METHODS as readonly string[]).includes(method)) return method as ExplainMethod;
  const hint = didYouMean(method, EXPLAIN_METHODS) ?? `the methods: ${EXPLAIN_METHODS.join(', ')}`;
  throw diagnosticError(codes.explainBadOption, `unknown explanation method \`${method}\``, {
    hint,
    file: '<explain>',
  });
}

/** The plan of the named output; without a name, the first output the method applies to. */
export function choosePlan(graph: Graph, output: string | undefined, method: ExplainMethod): ExplanationPlan {
  const { plans, skipped } = surveyOutputs(graph);
  if (output !== undefined) {
    const plan = plans.find((p) => p.output === output);
    if (plan) return plan;
    const skip = skipped.find((s) => s.output === output);
    if (skip) {
      const span = graph.outputs.find((o) => o.name === output)?.span;
      throw diagnosticError(codes.unknownOutput, `the output \`${output}\` cannot be explained: ${skip.reason}`, {
        hint: `explain one of: ${plans.map((p) => p.output).join(', ') || 'none'}`,
        span,
        file: '<explain>',
      });
    }
    const hint =
      didYouMean(
        output,
        graph.outputs.map((o) => o.name),
      ) ?? `the outputs: ${graph.outputs.map((o) => o.name).join(', ')}`;
    throw diagnosticError(codes.unknownOutput, `the model \`${graph.model}\` has no output \`${output}\``, {
      hint,
      span: modelSpan(graph),
      file: '<explain>',
    });
  }
  if (plans.length === 0) {
    throw diagnosticError(codes.nothingToExplain, `the model \`${graph.model}\` has no output that can be explained`, {
      hint: 'explanations need float scores [N, classes] or [N, H, W, classes]',
      span: modelSpan(graph),
      file: '<explain>',
    });
  }
  const suited =
    method === 'cam' ? plans.find((p) => p.cam) : method === 'acol' ? plans.find((p) => p.acol) : undefined;
  return suited ?? plans[0]!;
}

export function findNode(graph: Graph, name: string): IRNode {
  const node = graph.nodes.find((n) => n.name === name) ?? graph.nodes.find((n) => n.binding === name);
  if (node) return node;
  const names = graph.nodes.flatMap((n) => (n.binding ? [n.name, n.binding] : [n.name]));
  throw diagnosticError(codes.badTarget, `the model \`${graph.model}\` has no tensor named \`${name}\``, {
    hint: didYouMean(name, names) ?? 'use a layer name from `segc summary` or a `let` name',
    span: modelSpan(graph),
    file: '<explain>',
  });
}

/** The Grad-CAM target: the named tensor, checked, or the derived default. */
export function resolveTarget(graph: Graph, plan: ExplanationPlan, name: string | undefined): IRNode {
  if (name === undefined) {
    if (!plan.target)
      throw diagnosticError(codes.badTarget, `no default target layer for \`${plan.output}\`: ${plan.targetProblem}`, {
        hint: 'name a 4-D tensor as the target',
        span: outputSpan(graph, plan),
        file: '<explain>',
      });
    return graph.nodes[plan.target.node]!;
  }
  const node = findNode(graph, name);
  if (!isFeatureMap(node)) {
    throw diagnosticError(
      codes.badTarget,
      `the target ${describeNode(node)} has shape of rank ${node.type.shape.length} (${node.type.dtype}); a target layer must be a 4-D float feature map`,
      { hint: 'pick a convolution, activation or other [N, H, W, C] tensor', span: node.span, file: '<explain>' },
    );
  }
  if (!ancestors(graph, plan.score).has(node.id)) {
    throw diagnosticError(codes.badTarget, `the score of \`${plan.output}\` does not depend on ${describeNode(node)}`, {
      hint: 'pick a tensor on a path from the input to that output',
      span: node.span,
      file: '<explain>',
    });
  }
  return node;
}

/** The tensors a method reads besides the score, and the name it reports as its target. */
export function methodInputs(
  graph: Graph,
  plan: ExplanationPlan,
  method: ExplainMethod,
  target: string | undefined,
): { nodes: number[]; target: string } {
  if (method === 'cam') {
    if (!plan.cam)
      throw diagnosticError(
        codes.methodUnavailable,
        `\`${plan.output}\` has no exact class activation map: its head is not GAP → dense, a NIN head or a @classmap tensor`,
        {
          hint: 'use --method gradcam, which works on any architecture',
          span: outputSpan(graph, plan),
          file: '<explain>',
        },
      );
    const node = plan.cam.kind === 'dense' ? plan.cam.features : plan.cam.map;
    return { nodes: [node], target: graph.nodes[node]!.name };
  }
  if (method === 'acol') {
    if (!plan.acol)
      throw diagnosticError(
        codes.methodUnavailable,
        `\`${plan.output}\` is not part of an ACoL head (two @classmap branches)`,
        { hint: 'use --method cam or gradcam', span: outputSpan(graph, plan), file: '<explain>' },
      );
    return {
      nodes: [plan.acol.first, plan.acol.second],
      target: `${graph.nodes[plan.acol.first]!.name} + ${graph.nodes[plan.acol.second]!.name}`,
    };
  }
  const node = resolveTarget(graph, plan, target);
  return { nodes: [node.id], target: node.name };
}
