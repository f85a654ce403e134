/**
 * The metadata an exported model carries, so that a server feeds it what segc feeds it: the
 * input layout, how an image becomes the input tensor (RGB scaled to [0, 1], bilinear resize
 * with half-pixel centres, grey as the mean of R, G and B for one-channel inputs), the sizes the
 * `where` clauses allow, and what each output is.
 */
import type { Graph } from '../ir/graph.js';
import type { Dim } from '../shapes/symbolic.js';

function describeDim(d: Dim): string | number {
  if (d.kind === 'const') return d.value;
  if (d.kind === 'sym') return d.name;
  return '?';
}

export function describePreprocessing(graph: Graph): Record<string, string> {
  const inputs = graph.inputs.map((input) => {
    const shape = graph.nodes[input.node]!.type.shape;
    const channels = shape[3];
    const grey = channels?.kind === 'const' && channels.value === 1;
    return {
      name: input.name,
      layout: shape.length === 4 ? 'NHWC' : `rank ${shape.length}`,
      shape: shape.map(describeDim),
      color: grey ? 'grey: mean of R, G and B' : 'RGB',
      scale: 'pixel values / 255, so [0, 1]; no mean or deviation normalisation',
      resize:
        'bilinear with half-pixel centres to the input size; a free size goes to the nearest allowed size at least the image size',
    };
  });
  return {
    'segc.model': graph.model,
    'segc.params': JSON.stringify(graph.params),
    'segc.inputs': JSON.stringify(inputs),
    'segc.constraints': JSON.stringify(graph.constraints.map((c) => c.text)),
    'segc.outputs': JSON.stringify(
      graph.outputs.map((o) => ({
        name: o.name,
        shape: graph.nodes[o.node]!.type.shape.map(describeDim),
        op: graph.nodes[o.node]!.op,
      })),
    ),
  };
}
