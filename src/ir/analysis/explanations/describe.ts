/** The derived explanation plans in words (`segc explain --list`) and as JSON. */
import type { Graph } from '../../graph.js';
import { describeNode } from './graph-walk.js';
import type { ExplanationPlan, ExplanationSurvey } from './plan.js';

function camLine(plan: ExplanationPlan): string {
  if (!plan.cam) return 'exact CAM: no (use Grad-CAM)';
  const kind = plan.cam.kind === 'dense' ? 'GAP → dense' : 'class channel';
  return `exact CAM: yes, ${kind} — ${plan.cam.reason}`;
}

function describePlan(graph: Graph, plan: ExplanationPlan): string[] {
  const target = plan.target
    ? `${describeNode(graph.nodes[plan.target.node]!)} — ${plan.target.reason}`
    : `none — ${plan.targetProblem}`;
  const acol = plan.acol
    ? `ACoL: branch A ${describeNode(graph.nodes[plan.acol.first]!)}, branch B ${describeNode(graph.nodes[plan.acol.second]!)} — ${plan.acol.reason}`
    : undefined;
  return [
    `output ${plan.output}: ${plan.kind}, ${plan.classes} classes`,
    `  score: ${describeNode(graph.nodes[plan.score]!)} — ${plan.scoreReason}`,
    `  Grad-CAM target: ${target}`,
    `  ${camLine(plan)}`,
    ...(acol ? [`  ${acol}`] : []),
  ];
}

export function describeSurvey(graph: Graph, survey: ExplanationSurvey): string {
  return [
    `model ${graph.model}`,
    ...survey.plans.flatMap((plan) => describePlan(graph, plan)),
    ...survey.skipped.map((skip) => `output ${skip.output}: not explained — ${skip.reason}`),
  ].join('\n');
}

/** The survey with node names next to node ids, for tools. */
export function surveyJson(graph: Graph, survey: ExplanationSurvey): Record<string, unknown> {
  const name = (id: number) => graph.nodes[id]!.name;
  const plans = survey.plans.map((plan) => ({
    ...plan,
    scoreName: name(plan.score),
    ...(plan.cam
      ? { cam: { ...plan.cam, tensor: name(plan.cam.kind === 'dense' ? plan.cam.features : plan.cam.map) } }
      : {}),
    ...(plan.acol
      ? { acol: { ...plan.acol, firstName: name(plan.acol.first), secondName: name(plan.acol.second) } }
      : {}),
  }));
  return { model: graph.model, plans, skipped: survey.skipped };
}
