/**
 * Warnings for known architecture mistakes that shapes alone do not catch:
 * - ASPP rates that do not match the output stride of the features they see (DeepLabv3 uses
 *   6/12/18 at output stride 16 and twice that at 8);
 * - a 4-D output whose spatial size is not the input's (a decoder whose upsampling does not
 *   return to the input size);
 * - a NIN-style head (conv → global pool → output) whose channel count is not the class count.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { receptiveFields } from '../analysis/receptive-field.js';
import { findOp } from '../../ops/registry.js';
import type { Graph, IRNode } from '../graph.js';
import type { SizeSpace } from '../../shapes/sizes.js';
import { type Pass, unchanged } from './pass.js';
import { codes } from '../../diagnostics/codes.js';

const ASPP_RATES: Readonly<Record<number, readonly number[]>> = { 16: [6, 12, 18], 8: [12, 24, 36] };

function warning(code: string, node: { span: Diagnostic['span'] }, message: string, hint: string): Diagnostic {
  return { code, severity: 'warning', message, hint, span: node.span };
}

function dilationOf(node: IRNode): number {
  const d = node.attrs.dilation;
  return Array.isArray(d) ? Number(d[0]) : 1;
}

function checkAsppRates(graph: Graph): Diagnostic[] {
  const fields = receptiveFields(graph);
  const found: Diagnostic[] = [];
  for (const node of graph.nodes) {
    if (findOp(node.op)?.combines !== 'concat') continue;
    const atrous = node.inputs.map((i) => sourceConv(graph, i)).filter((c): c is IRNode => !!c && dilationOf(c) > 1);
    if (atrous.length < 2) continue;
    const rates = atrous.map(dilationOf).sort((a, b) => a - b);
    const stride = fields[atrous[0]!.inputs[0]!]!.outputStride;
    const expected = ASPP_RATES[stride];
    const matchesOther = Object.entries(ASPP_RATES).find(
      ([os, r]) => Number(os) !== stride && r.join() === rates.join(),
    );
    if (expected && matchesOther && expected.join() !== rates.join()) {
      found.push(
        warning(
          codes.asppRates,
          atrous[0]!,
          `ASPP rates [${rates.join(', ')}] are meant for output stride ${matchesOther[0]}, but these features have output stride ${stride}`,
          `use rates [${expected.join(', ')}] at output stride ${stride}`,
        ),
      );
    }
  }
  return found;
}

/**
 * The convolution (an op with a `dilation`) that produced a branch, looking through channelwise
 * ops (bn, activations, dropout).
 */
function sourceConv(graph: Graph, id: number): IRNode | undefined {
  let node = graph.nodes[id]!;
  while (findOp(node.op)?.channelwise) node = graph.nodes[node.inputs[0]!]!;
  return findOp(node.op)?.params.some((p) => p.name === 'dilation') ? node : undefined;
}

function checkDecoderSize(graph: Graph, sizes: SizeSpace): Diagnostic[] {
  const image = graph.inputs.map((i) => graph.nodes[i.node]!).find((n) => n.type.shape.length === 4);
  if (!image) return [];
  const found: Diagnostic[] = [];
  for (const output of graph.outputs) {
    const node = graph.nodes[output.node]!;
    if (node.type.shape.length !== 4 || node.op === 'input') continue;
    const rows = sizes.compare(node.type.shape[1]!, image.type.shape[1]!);
    const cols = sizes.compare(node.type.shape[2]!, image.type.shape[2]!);
    if (rows.kind === 'differ' || cols.kind === 'differ') {
      const have = `${sizes.format(node.type.shape[1]!)}×${sizes.format(node.type.shape[2]!)}`;
      const want = `${sizes.format(image.type.shape[1]!)}×${sizes.format(image.type.shape[2]!)}`;
      found.push(
        warning(
          codes.outputSizeChanged,
          output,
          `output \`${output.name}\` is ${have} but the input is ${want}: the decoder does not return to the input size`,
          'upsample with `like: <input>` or fix the factor',
        ),
      );
    }
  }
  return found;
}

function checkNinHead(graph: Graph): Diagnostic[] {
  const classes = graph.params.classes;
  if (typeof classes !== 'number') return [];
  const found: Diagnostic[] = [];
  for (const output of graph.outputs) {
    let node = graph.nodes[output.node]!;
    if (findOp(node.op)?.outputActivation === 'softmax') node = graph.nodes[node.inputs[0]!]!;
    if (!findOp(node.op)?.globalPool) continue;
    const conv = sourceConv(graph, node.inputs[0]!);
    const channels = Number(
      graph.nodes[node.inputs[0]!]!.type.shape[3]?.kind === 'const'
        ? (graph.nodes[node.inputs[0]!]!.type.shape[3] as { value: number }).value
        : NaN,
    );
    if (conv && channels !== classes) {
      found.push(
        warning(
          codes.ninHeadChannels,
          conv,
          `this NIN head has ${channels} channels but the model has ${classes} classes`,
          `the last conv before global pooling needs \`${classes}\` filters (one per class)`,
        ),
      );
    }
  }
  return found;
}

export const lintArchitecture: Pass = {
  name: 'lint-architecture',
  modes: ['source'],
  run(graph, context) {
    for (const d of [...checkAsppRates(graph), ...checkDecoderSize(graph, context.sizes), ...checkNinHead(graph)])
      context.report(d);
    return unchanged(graph);
  },
};
