/**
 * The shipped examples and standard library, end to end through the compiler and the exporters:
 * every example compiles cleanly and draws completely, and the reference architectures have the
 * parameter counts torchvision publishes for them.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CompileResult, compile, compileSource } from '../../src/compiler/compile.js';
import { PACKAGE_ROOT, nodeHost } from '../../src/compiler/node-host.js';
import { toDot } from '../../src/ir/export/dot.js';
import type { Graph } from '../../src/ir/graph.js';
import { readDot } from './graphviz-read.js';

const EXAMPLES = join(PACKAGE_ROOT, 'examples');
const files = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.seg'))
  .sort();

function trainableParameters(graph: Graph): number {
  return graph.nodes
    .flatMap((n) => n.weights)
    .filter((w) => w.trainable)
    .reduce((sum, w) => sum + w.shape.reduce((p, d) => p * d, 1), 0);
}

function onlyGraph(result: CompileResult): Graph {
  expect(result.diagnostics.map((d) => `${d.code} ${d.span.file}:${d.span.start.line} ${d.message}`)).toEqual([]);
  expect(result.models).toHaveLength(1);
  return result.models[0]!.graph!;
}

/** A classifier on top of the standard library's ResNet, as torchvision builds `resnetNN`. */
function resnetClassifier(depth: number): string {
  return `import { ResNet } from "std/backbones.seg"
model R(classes: int = 1000) {
  input image: f32[N, 224, 224, 3]
  let (_low, high) = ResNet(image, depth: ${depth})
  output logits = high -> gap -> dense(classes)
}
`;
}

describe('examples', () => {
  it('has the files the documentation describes', () => {
    expect(files).toEqual([
      'acol.seg',
      'aspp.seg',
      'deeplabv3plus.seg',
      'deeplabv3plus_small.seg',
      'gap_cam.seg',
      'nin.seg',
      'resnet50.seg',
      'spp.seg',
      'unet.seg',
      'vgg16.seg',
    ]);
  });

  it.each(files)(
    '%s compiles without diagnostics and every node, edge and output reaches the drawing',
    async (file) => {
      const graph = onlyGraph(compile(join(EXAMPLES, file), nodeHost()));
      const read = await readDot(toDot(graph));
      expect(read.nodes.size).toBe(graph.nodes.length + graph.outputs.length);
      const edges = graph.nodes.reduce((sum, n) => sum + n.inputs.length, 0) + graph.outputs.length;
      expect(read.edges).toHaveLength(edges);
      const sites = new Set(
        graph.nodes.flatMap((n) => n.callChain.map((_, depth) => JSON.stringify(n.callChain.slice(0, depth + 1)))),
      );
      expect(read.clusters.size).toBe(sites.size);
    },
  );

  it.each([
    ['vgg16.seg', 138_357_544],
    ['resnet50.seg', 25_557_032],
  ])('%s has the published number of trainable parameters', (file, expected) => {
    expect(trainableParameters(onlyGraph(compile(join(EXAMPLES, file), nodeHost())))).toBe(expected);
  });
});

describe('std/backbones.seg ResNet', () => {
  it.each([
    [18, 11_689_512],
    [34, 21_797_672],
    [101, 44_549_160],
    [152, 60_192_808],
  ])('ResNet-%i with a 1000-class head has torchvision’s parameter count', (depth, expected) => {
    const graph = onlyGraph(compileSource(resnetClassifier(depth), join(PACKAGE_ROOT, 'resnet.seg'), {}, nodeHost()));
    expect(trainableParameters(graph)).toBe(expected);
  });
});

describe('output stride', () => {
  const atrousRates = (graph: Graph): number[] =>
    graph.nodes
      .filter((n) => n.name.startsWith('encoded/aspp/branches/') && n.op === 'conv')
      .map((n) => n.attrs['dilation'])
      .map((d) => (Array.isArray(d) ? (d[0] as number) : (d as number)));

  /** Rows of a named node's output, with the input size fixed by the compile options. */
  function rowsOf(result: CompileResult, name: string): number | undefined {
    const model = result.models[0]!;
    const node = model.graph!.nodes.find((n) => n.name === name);
    expect(node, name).toBeDefined();
    return model.sizes.concrete(node!.type.shape[1]!);
  }

  it.each([
    [16, 4, [1, 6, 12, 18, 1]],
    [8, 8, [1, 12, 24, 36, 1]],
  ])('DeepLabV3Plus at os %i runs ASPP on %i-row features of a 64×64 image, branch dilations %j', (os, rows, rates) => {
    const result = compile(join(EXAMPLES, 'deeplabv3plus.seg'), nodeHost(), {
      inputSize: [64, 64],
      params: { os: { kind: 'int', value: os } },
    });
    expect(atrousRates(onlyGraph(result))).toEqual(rates);
    expect(rowsOf(result, 'encoded/aspp/concat')).toBe(rows);
    expect(rowsOf(result, 'logits/upsample')).toBe(64);
  });

  it('DeepLabV3PlusSmall runs its backbone at stride 8 and decodes at stride 2', () => {
    const result = compile(join(EXAMPLES, 'deeplabv3plus_small.seg'), nodeHost(), { inputSize: [64, 64] });
    onlyGraph(result);
    expect(rowsOf(result, 'encoded/aspp/concat')).toBe(8);
    expect(rowsOf(result, 'decoded/deep_lab_v3_plus_decoder/concat')).toBe(32);
  });
});

describe('std/backbones.seg MobileNetSmall', () => {
  /** Parameters of one inverted residual block, counted from its definition by hand. */
  function invertedResidual(inputs: number, filters: number, expansion = 3): number {
    const hidden = filters * expansion;
    const batchNorm = (channels: number) => 2 * channels;
    return inputs * hidden + batchNorm(hidden) + 9 * hidden + batchNorm(hidden) + hidden * filters + batchNorm(filters);
  }

  it('has the parameters its channel plan implies (76,784 at width 32)', () => {
    const [c1, c2, c3, c4, c5] = [16, 24, 32, 48, 64];
    const stem = 3 * 3 * 3 * c1 + 2 * c1 + (9 * c1 + 2 * c1) + (c1 * c1 + 2 * c1);
    const blocks =
      invertedResidual(c1, c2) +
      invertedResidual(c2, c2) +
      invertedResidual(c2, c3) +
      invertedResidual(c3, c3) +
      invertedResidual(c3, c4) +
      invertedResidual(c4, c4) +
      invertedResidual(c4, c5);
    expect(stem + blocks).toBe(76_784);
    const source = `import { MobileNetSmall } from "std/backbones.seg"
model M() {
  input image: f32[N, 64, 64, 3]
  let (low, high) = MobileNetSmall(image, width: 32, outputStride: 32)
  output low = low -> upsample(factor: 4)
  output high = high -> upsample(factor: 32)
}
`;
    const graph = onlyGraph(compileSource(source, join(PACKAGE_ROOT, 'mobile.seg'), {}, nodeHost()));
    expect(trainableParameters(graph)).toBe(stem + blocks);
  });
});

describe('std/heads.seg', () => {
  it('every head compiles on 8-channel features and gives the documented output shapes', () => {
    const source = `import { ACoLHead, ASPP, DeepLabV3PlusDecoder, GapHead, NinHead, SPP } from "std/heads.seg"
model Heads() {
  input features: f32[N, H, W, 8] where H >= 8, W >= 8
  let (logitsA, logitsB, fused) = ACoLHead(features, 5, filters: 16)
  output logitsA = logitsA
  output logitsB = logitsB
  output fused = fused
  output spp = SPP(features, out: 16)
  output aspp = ASPP(features, out: 16, rates: [1, 2])
  output gapLogits = GapHead(features, 3)
  output ninLogits = NinHead(features, 3)
  output decoded = DeepLabV3PlusDecoder(features -> maxpool(2), features, 3, skip: 4, filters: 8)
}
`;
    const result = compileSource(source, join(PACKAGE_ROOT, 'heads.seg'), {}, nodeHost());
    const graph = onlyGraph(result);
    const format = result.models[0]!.sizes.format.bind(result.models[0]!.sizes);
    const shapes = Object.fromEntries(
      graph.outputs.map((o) => [
        o.name,
        graph.nodes
          .find((n) => n.id === o.node)!
          .type.shape.map(format)
          .join(', '),
      ]),
    );
    expect(shapes).toEqual({
      logitsA: 'N, 5',
      logitsB: 'N, 5',
      fused: 'N, H, W, 5',
      spp: 'N, H, W, 16',
      aspp: 'N, H, W, 16',
      gapLogits: 'N, 3',
      ninLogits: 'N, 3',
      decoded: 'N, H, W, 3',
    });
    const classMaps = graph.nodes.filter((n) => n.annotations.some((a) => a.name === 'classmap'));
    expect(classMaps.map((n) => n.type.shape.at(-1))).toEqual([
      { kind: 'const', value: 5 },
      { kind: 'const', value: 5 },
      { kind: 'const', value: 3 },
    ]);
  });
});
