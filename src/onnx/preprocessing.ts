/**
 * The metadata an exported model carries, so that a server feeds it what segc feeds it: the
 * input layout, how an image becomes the input tensor (the input's `@preprocess`, by default RGB
 * scaled to [0, 1], bilinear resize with half-pixel centres, grey as the mean of R, G and B for
 * one-channel inputs), the sizes the `where` clauses allow, and what each output is.
 */
import type { Graph } from '../ir/graph.js';
import { DEFAULT_PREPROCESSING, type Preprocessing, preprocessingOf } from '../ir/preprocessing.js';
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
    const preprocessing = preprocessingOf(input);
    return {
      name: input.name,
      layout: shape.length === 4 ? 'NHWC' : `rank ${shape.length}`,
      shape: shape.map(describeDim),
      color: describeColour(preprocessing, grey),
      scale: describeScale(preprocessing),
      resize: `${describeResize(preprocessing)} to the input size; a free size goes to the nearest allowed size at least the image size`,
      preprocessing,
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

function describeColour(preprocessing: Preprocessing, grey: boolean): string {
  if (grey) return preprocessing.grey === 'mean' ? 'grey: mean of R, G and B' : 'grey: Rec. 601 luma of R, G and B';
  return preprocessing.order === 'rgb' ? 'RGB' : 'BGR';
}

function describeScale({ scale, mean, std }: Preprocessing): string {
  const plain = scale === DEFAULT_PREPROCESSING.scale && mean.every((m) => m === 0) && std.every((s) => s === 1);
  if (plain) return 'pixel values / 255, so [0, 1]; no mean or deviation normalisation';
  const list = (values: readonly number[]) => (values.length === 1 ? String(values[0]) : `[${values.join(', ')}]`);
  return `(pixel value 0..255 × ${scale} − mean ${list(mean)}) / std ${list(std)}, per channel in the order above`;
}

function describeResize({ resize, centres }: Preprocessing): string {
  const how = {
    'half-pixel': 'half-pixel centres',
    legacy: 'legacy centres (no half-pixel offset)',
    corners: 'aligned corners',
  };
  return `${resize} with ${how[centres]}`;
}
