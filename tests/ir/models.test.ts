/**
 * Whole models: every example checks clean, published parameter counts match exactly, receptive
 * fields match the closed form, passes keep the graph valid, the IR JSON round-trips.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import { receptiveFields, stackedAtrousField } from '../../src/ir/analysis/receptive-field.js';
import { summarize } from '../../src/ir/analysis/summary.js';
import { readIR, writeIR } from '../../src/ir/json.js';
import { parse, print } from '../../src/parser/index.js';
import { compileText, diagnose } from '../helpers/compile.js';

const EXAMPLES = readdirSync('examples').filter((f) => f.endsWith('.seg'));

function compileExample(file: string, options = {}) {
  const result = compile(join('examples', file), nodeHost(), options);
  const model = result.models[0]!;
  return { result, model, graph: model.graph! };
}

describe('examples', () => {
  it.each(EXAMPLES)('%s checks with no errors or warnings', (file) => {
    const { result, model } = compileExample(file);
    expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    expect(model.graph).toBeDefined();
  });

  it.each([...EXAMPLES.map((f) => join('examples', f)), 'std/backbones.seg', 'std/heads.seg'])(
    '%s is in canonical format (segc fmt --check)',
    (path) => {
      const source = readFileSync(path, 'utf8');
      expect(print(parse(source, path).program)).toBe(source);
    },
  );

  it.each(EXAMPLES)('%s survives the inference passes under IR verification', (file) => {
    const { result, graph } = compileExample(file, { mode: 'inference', verify: true });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(graph.nodes.some((n) => n.op === 'bn')).toBe(false);
  });
});

describe('published parameter counts', () => {
  it('ResNet-50 (torchvision configuration, 1000 classes) has 25,557,032 trainable parameters', () => {
    const { graph, model } = compileExample('resnet50.seg');
    expect(summarize(graph, model.sizes).trainableParams).toBe(25_557_032);
  });

  it('VGG-16 has 138,357,544 trainable parameters', () => {
    const { graph, model } = compileExample('vgg16.seg');
    expect(summarize(graph, model.sizes).trainableParams).toBe(138_357_544);
  });
});

describe('receptive field and output stride', () => {
  it('a stack of 3×3 atrous convs matches 1 + Σ 2·d', () => {
    const dilations = [1, 2, 4, 8, 16];
    const body = dilations.map((d) => `conv(8, 3, dilation: ${d})`).join(' -> ');
    const graph = compileText(`model M() {\n  input x: f32[N, H, W, 3]\n  output y = x -> ${body}\n}\n`).models[0]!
      .graph!;
    const fields = receptiveFields(graph).map((f) => f.receptiveField);
    expect(fields.slice(1)).toEqual(dilations.map((_, i) => stackedAtrousField(3, dilations.slice(0, i + 1))));
    expect(fields.at(-1)).toBe(63);
  });

  it('tracks output stride through strides and upsampling', () => {
    const source =
      'model M() {\n  input x: f32[N, H, W, 3] where H % 8 == 0, W % 8 == 0\n  output y = x -> conv(8, 3, stride: 2) -> maxpool(2) -> conv(8, 3, stride: 2) -> upsample(factor: 8)\n}\n';
    const graph = compileText(source).models[0]!.graph!;
    expect(receptiveFields(graph).map((f) => f.outputStride)).toEqual([1, 2, 4, 8, 1]);
    expect(receptiveFields(graph).map((f) => f.receptiveField)).toEqual([1, 3, 5, 13, 13]);
  });
});

describe('passes', () => {
  const source =
    'model M() {\n  input x: f32[N, H, W, 3]\n  let unused = x -> conv(4, 1)\n  output y = x -> conv(8, 3, bias: false) -> bn -> relu -> dropout(0.2) -> conv(2, 1)\n}\n';

  it('removes dead nodes, folds batch norm and dropout, fuses the activation', () => {
    const graph = compileText(source, { mode: 'inference', verify: true }).models[0]!.graph!;
    expect(graph.nodes.map((n) => `${n.name}:${n.op}`)).toEqual(['x:input', 'y/conv:conv', 'y/conv_1:conv']);
    const folded = graph.nodes[1]!;
    expect(folded.attrs).toMatchObject({ activation: 'relu', bias: true, foldedBatchNorm: 1e-5 });
    expect(folded.weights.map((w) => w.name)).toEqual([
      'y/conv/kernel',
      'y/bn/gamma',
      'y/bn/beta',
      'y/bn/movingMean',
      'y/bn/movingVariance',
    ]);
  });

  it('keeps the graph as written in source mode (only dead nodes go)', () => {
    const graph = compileText(source).models[0]!.graph!;
    expect(graph.nodes.map((n) => n.op)).toEqual(['input', 'conv', 'bn', 'relu', 'dropout', 'conv']);
  });

  it('warns about ASPP rates meant for another output stride', () => {
    const aspp = (rates: string) =>
      `model M() {\n  input x: f32[N, H, W, 3] where H % 8 == 0, W % 8 == 0\n  let f = x -> conv(8, 3, stride: 8)\n  output y = concat([for r in ${rates}: f -> conv(8, 3, dilation: r)]) -> upsample(factor: 8)\n}\n`;
    expect(diagnose(aspp('[6, 12, 18]'))).toEqual([
      '4:49 W0310 ASPP rates [6, 12, 18] are meant for output stride 16, but these features have output stride 8',
    ]);
    expect(diagnose(aspp('[12, 24, 36]'))).toEqual([]);
  });

  it('warns about a NIN head whose channels are not the classes', () => {
    const nin = 'model M(classes: int = 10) {\n  input x: f32[N, 28, 28, 1]\n  output y = x -> conv(12, 3) -> gap\n}\n';
    expect(diagnose(nin)).toEqual(['3:19 W0312 this NIN head has 12 channels but the model has 10 classes']);
  });
});

describe('stable weight names', () => {
  const names = (source: string) =>
    compileText(source).models[0]!.graph!.nodes.flatMap((n) => n.weights.map((w) => w.name));
  const base = readFileSync('examples/aspp.seg', 'utf8');

  it('names weights after the source: let names, block calls, list positions, ops', () => {
    expect(names(base)).toContain('context/aspp/branches/2/conv/kernel');
    expect(names(base)).toContain('context/aspp/branches/4/conv/kernel');
  });

  it('keeps every existing name when an unrelated layer is added, and ignores comments and layout', () => {
    const edited = base
      .replace('  let context =', '  // a comment\n  let side = image -> conv(8, 3) -> bn -> relu\n  let context =')
      .replace('output mask =', 'output side = side\n  output mask =');
    const before = names(base);
    const after = names(edited);
    expect(after.filter((n) => !n.startsWith('side/'))).toEqual(before);
    expect(after.filter((n) => n.startsWith('side/'))).toEqual([
      'side/conv/kernel',
      'side/conv/bias',
      'side/bn/gamma',
      'side/bn/beta',
      'side/bn/movingMean',
      'side/bn/movingVariance',
    ]);
  });
});

describe('IR JSON', () => {
  it('round-trips every example', () => {
    for (const file of EXAMPLES) {
      const { graph } = compileExample(file);
      expect(readIR(writeIR(graph))).toEqual(JSON.parse(JSON.stringify(graph)));
    }
  });

  it('rejects an unknown version and malformed graphs', () => {
    const text = writeIR(compileExample('nin.seg').graph);
    const document = JSON.parse(text);
    expect(() => readIR(JSON.stringify({ ...document, version: 99 }))).toThrow(
      /IR version 99, but this segc reads version 1/,
    );
    expect(() => readIR('{"format": "other"}')).toThrow(/not a segc IR file/);
    document.graph.nodes[2].inputs = [5];
    expect(() => readIR(JSON.stringify(document))).toThrow(/inputs that are not earlier nodes/);
  });
});
