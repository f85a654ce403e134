/**
 * The explanation data a generated module carries. Per output, what the compiler derives
 * (`deriveExplanations`): the kind of prediction, the number of classes, the node holding the
 * scores, the default Grad-CAM target layer and the exact CAM when the architecture gives one,
 * all by node name in the graph as written. And the tensors annotated `@classmap` (channel c is
 * class c's map), which `predictWithClassMaps` returns.
 */
import { deriveExplanations } from '../ir/analysis/explanations/derive.js';
import type { ExactCam, ExplanationPlan } from '../ir/analysis/explanations/plan.js';
import type { Graph, IRNode } from '../ir/graph.js';
import type { SizeSpace } from '../shapes/sizes.js';
import { literalKey } from './identifiers.js';
import { type Lines, block } from './lines.js';
import { formatDim } from './shapes.js';
import { quote } from './text.js';

export interface MarkedTensor {
  /** The key in the generated code: the `.seg` binding, else the node path. */
  readonly key: string;
  readonly node: IRNode;
}

const annotated = (node: IRNode, name: string) => node.annotations.some((a) => a.name === name);

function marked(graph: Graph, annotation: string): MarkedTensor[] {
  const keys = new Set<string>();
  return graph.nodes
    .filter((n) => annotated(n, annotation))
    .map((node) => {
      let key = node.binding ?? node.name;
      if (keys.has(key)) key = node.name;
      keys.add(key);
      return { key, node };
    });
}

/** Tensors annotated `@classmap`, in graph order, with unique keys. */
export function classMaps(graph: Graph): MarkedTensor[] {
  return marked(graph, 'classmap');
}

function location(node: IRNode): string {
  return `${node.span.file}:${node.span.start.line}`;
}

function entry(tensor: MarkedTensor, sizes: SizeSpace): string {
  const shape = `[${tensor.node.type.shape.map((d) => (d.kind === 'const' ? String(d.value) : quote(formatDim(d, sizes)))).join(', ')}]`;
  return `{ name: ${quote(tensor.key)}, layer: ${quote(tensor.node.name)}, shape: ${shape}, source: ${quote(location(tensor.node))} }`;
}

function camEntry(source: Graph, cam: ExactCam): string {
  const name = (id: number) => quote(source.nodes[id]!.name);
  const parts =
    cam.kind === 'dense' ? [`features: ${name(cam.features)}`, `dense: ${name(cam.dense)}`] : [`map: ${name(cam.map)}`];
  return `{ kind: '${cam.kind}', ${parts.join(', ')} }`;
}

function planEntry(source: Graph, plan: ExplanationPlan): string {
  const fields = [
    `kind: '${plan.kind}'`,
    `classes: ${plan.classes}`,
    `score: ${quote(source.nodes[plan.score]!.name)}`,
  ];
  fields.push(
    `gradCamTarget: ${plan.target ? `{ layer: ${quote(plan.target.name)}, reason: ${quote(plan.target.reason)} }` : 'null'}`,
  );
  fields.push(`cam: ${plan.cam ? camEntry(source, plan.cam) : 'null'}`);
  return `${literalKey(plan.output)}: { ${fields.join(', ')} }`;
}

/**
 * The initializer of the `EXPLANATIONS` constant: plans derived from `source` (the graph as
 * written, whose node names tools use), class maps from `inference` (what the code computes).
 */
export function explanationsInitializer(source: Graph, inference: Graph, sizes: SizeSpace): Lines {
  const outputs = deriveExplanations(source).map((plan) => `${planEntry(source, plan)},`);
  const maps = classMaps(inference).map((tensor) => `${entry(tensor, sizes)},`);
  return block('{', [...block('outputs: {', outputs, '},'), ...block('classMaps: [', maps, '],')], '} as const');
}
