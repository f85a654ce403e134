/**
 * What the compiler derives per output: kind, score, Grad-CAM target (by the dominator rule,
 * never "the last conv"), exact CAM and ACoL branches, with the exact layer names.
 */
import { describe, expect, it } from 'vitest';
import { deriveExplanations, surveyOutputs } from '../../src/ir/analysis/explanations/derive.js';
import { dominatorChain } from '../../src/ir/analysis/explanations/graph-walk.js';
import type { Graph } from '../../src/ir/graph.js';
import { compileGraph, exampleGraph } from './helpers.js';

const idOf = (graph: Graph, name: string) => graph.nodes.find((n) => n.name === name)!.id;
const nameOf = (graph: Graph, id: number | undefined) => (id === undefined ? undefined : graph.nodes[id]!.name);
const plan = (graph: Graph, output: string) => deriveExplanations(graph).find((p) => p.output === output)!;

describe('example models', () => {
  it('GAP → dense (gap_cam): target is the pooled features, CAM from the dense kernel, softmax explained before softmax', () => {
    const { graph } = exampleGraph('examples/gap_cam.seg');
    const logits = plan(graph, 'logits');
    expect(logits.kind).toBe('classification');
    expect(logits.classes).toBe(10);
    expect(logits.target?.name).toBe('features/relu_3');
    expect(logits.cam).toMatchObject({
      kind: 'dense',
      features: idOf(graph, 'features/relu_3'),
      dense: idOf(graph, 'logits/gap_head/dense'),
    });
    const probabilities = plan(graph, 'probabilities');
    expect(nameOf(graph, probabilities.score)).toBe('logits/gap_head/dense');
    expect(probabilities.scoreReason).toContain('before the softmax');
  });

  it('NIN: target and CAM are the @classmap convolution', () => {
    const { graph } = exampleGraph('examples/nin.seg');
    const logits = plan(graph, 'logits');
    expect(logits.target?.name).toBe('logits/nin_head/conv');
    expect(logits.cam).toMatchObject({ kind: 'channel', map: idOf(graph, 'logits/nin_head/conv') });
    expect(logits.acol).toBeUndefined();
  });

  it('ASPP: the target comes after the concat of the parallel branches; the argmax output is skipped', () => {
    const { graph } = exampleGraph('examples/aspp.seg');
    const { plans, skipped } = surveyOutputs(graph);
    expect(plans.map((p) => p.output)).toEqual(['logits']);
    expect(skipped).toEqual([{ output: 'mask', reason: expect.stringContaining('integers') }]);
    const logits = plans[0]!;
    expect(logits.kind).toBe('segmentation');
    expect(logits.target?.name).toBe('logits/conv');
    expect(logits.target!.node).toBeGreaterThan(idOf(graph, 'context/aspp/concat'));
    expect(logits.cam).toBeUndefined();
    // Each branch's last convolution is off the dominator chain: only some paths pass through it.
    const chain = dominatorChain(graph, logits.score);
    for (const branch of [0, 1, 2, 3]) expect(chain).not.toContain(idOf(graph, `context/aspp/branches/${branch}/relu`));
    expect(chain).toContain(idOf(graph, 'context/aspp/concat'));
  });

  it('DeepLabv3+ small: the classifier before the final upsampling, after the decoder concat', () => {
    const { graph } = exampleGraph('examples/deeplabv3plus_small.seg');
    const logits = plan(graph, 'logits');
    expect(logits.kind).toBe('segmentation');
    expect(logits.classes).toBe(4);
    expect(logits.target?.name).toBe('decoded/deep_lab_v3_plus_decoder/conv');
    expect(logits.target!.node).toBeGreaterThan(idOf(graph, 'decoded/deep_lab_v3_plus_decoder/concat'));
  });

  it('ACoL: each branch output has its own map, and the fused output and the ACoL pair are found', () => {
    const { graph } = exampleGraph('examples/acol.seg');
    const a = plan(graph, 'logitsA');
    const b = plan(graph, 'logitsB');
    const fused = plan(graph, 'fused');
    expect(a.target?.name).toBe('mapA/conv_1');
    expect(b.target?.name).toBe('mapB/conv_1');
    expect(a.cam).toMatchObject({ kind: 'channel', map: idOf(graph, 'mapA/conv_1') });
    expect(b.cam).toMatchObject({ kind: 'channel', map: idOf(graph, 'mapB/conv_1') });
    expect(fused.kind).toBe('classmap');
    expect(fused.target?.name).toBe('fused/max');
    const pair = { first: idOf(graph, 'mapA/conv_1'), second: idOf(graph, 'mapB/conv_1') };
    for (const p of [a, b, fused]) expect(p.acol).toMatchObject(pair);
  });
});

describe('the dominator rule on inline models', () => {
  it('a later convolution on a side branch that feeds a second output is not the target', () => {
    const { graph } = compileGraph(`
      model SideBranch(classes: int = 3) {
        input image: f32[N, 16, 16, 3]
        let features = image -> conv(8, 3) -> relu
        let logits = features -> gap -> dense(classes)
        let side = features -> conv(4, 3) -> relu -> conv(2, 1)
        output logits = logits
        output aux = side -> gap
      }`);
    const lastConv = graph.nodes.filter((n) => n.op === 'conv').at(-1)!;
    expect(lastConv.name).toBe('side/conv_1');
    expect(plan(graph, 'logits').target?.name).toBe('features/relu');
    expect(plan(graph, 'aux').target?.name).toBe('side/conv_1');
    expect(plan(graph, 'aux').cam).toMatchObject({ kind: 'channel', map: lastConv.id });
  });

  it('the latest tensor on every path: a residual add, not the convolution inside the branch', () => {
    const { graph } = compileGraph(`
      model Residual(classes: int = 3) {
        input image: f32[N, 8, 8, 3]
        let stem = image -> conv(4, 3) -> relu
        let branch = stem -> conv(4, 3) -> relu -> conv(4, 3)
        output logits = add(stem, branch) -> gap -> dense(classes)
      }`);
    const target = plan(graph, 'logits').target!;
    expect(graph.nodes[target.node]!.op).toBe('add');
  });

  it('a classifier on parallel branches: their concat; the reason counts the branches passed over', () => {
    const { graph } = compileGraph(`
      model Parallel(classes: int = 3) {
        input image: f32[N, 8, 8, 3]
        let stem = image -> conv(4, 3) -> relu
        let joined = concat([stem -> conv(4, 1), stem -> conv(4, 3, dilation: 2)])
        output logits = joined -> gap -> dense(classes)
      }`);
    const target = plan(graph, 'logits').target!;
    expect(graph.nodes[target.node]!.op).toBe('concat');
    expect(target.reason).toContain('2 feature map(s) on parallel or side branches');
  });

  it('@gradcam wins over the derived target; one the output does not depend on is ignored', () => {
    const { graph } = compileGraph(`
      model Annotated(classes: int = 3) {
        input image: f32[N, 8, 8, 3]
        let early = image -> conv(4, 3) @gradcam -> relu
        let late = early -> conv(4, 3) -> relu
        output logits = late -> gap -> dense(classes)
        output other = image -> conv(2, 1) @gradcam -> gap
      }`);
    const logits = plan(graph, 'logits');
    expect(logits.target?.name).toBe('early/conv');
    expect(logits.target?.reason).toContain('@gradcam');
    expect(nameOf(graph, plan(graph, 'other').target?.node)).toBe('other/conv');
  });

  it('the input itself is never a target; a model with no feature map has none, with the reason', () => {
    const { graph } = compileGraph(`
      model Flat(classes: int = 3) {
        input x: f32[N, 5]
        output logits = x -> dense(8) -> relu -> dense(classes)
      }`);
    const logits = plan(graph, 'logits');
    expect(logits.target).toBeUndefined();
    expect(logits.targetProblem).toContain('no 4-D feature map');
    expect(logits.cam).toBeUndefined();
  });
});
