/**
 * Text from a `.seg` file cannot inject code: doc comments, stable weight names (`@name`) and
 * the file name hold quotes, backticks, `*\/`, `${...}`, backslashes, line breaks and unicode,
 * and tensors take names that are reserved words or names the module uses itself. The module
 * is committed (golden/injection.ts), compiles under strict settings, has no code from that
 * text, and predicts exactly what the interpreter predicts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { generateModule } from '../../src/codegen/index.js';
import { compileSource } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import { SegModel, initialWeights } from '../../src/runtime/model.js';
import { useBackend } from '../ops/backends.js';
import { seededTensor } from '../runtime/helpers.js';
import { GOLDEN, typeCheck } from './helpers.js';

const FILE = 'odd */ name `${pwned()}` \'q\' "d".seg';

const SOURCE = String.raw`/// Tries to break out: */ alert(1); /* and \`backticks\` ${'$'}{pwned()} and </script>
/// with 'single' and "double" quotes, a backslash \ and unicode: größe → 日本, and a
/// line separator   here.
model Evil(classes: int = 3) {
  input image: f32[N, H, W, 2] where H % 4 == 0, W % 2 == 0

  let class = image -> conv(4, 3) @name("w'\"${'`'}${'$'}{pwned()}*/\\n") -> bn -> relu
  let tf = class -> conv(4, 1) -> bn
  let layers = tf -> relu -> maxpool(2)
  let _9lives = layers -> conv(classes, 1) @classmap
  output default = gap(_9lives)
  output __proto__ = _9lives -> upsample(like: image, mode: bilinear)
  output inputs = softmax(default)
}
`;

function compileEvil() {
  const result = compileSource(SOURCE, FILE, {}, nodeHost());
  const model = result.models[0];
  if (!model?.graph) throw new Error(result.diagnostics.map((d) => `${d.span.start.line}: ${d.message}`).join('\n'));
  return { ...model, graph: model.graph };
}

/** Every identifier the generated code uses, outside comments and string literals. */
function identifiers(text: string): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) names.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('module.ts', text, ts.ScriptTarget.ES2022, true));
  return names;
}

describe('safe emission', () => {
  const model = compileEvil();
  const text = generateModule(model, FILE);

  it('matches its golden file', () => {
    const path = join(GOLDEN, 'injection.ts');
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, text);
    expect(text).toBe(readFileSync(path, 'utf8'));
  });

  it('compiles under tsc --strict', () => {
    expect(typeCheck({ 'injection.ts': text })).toEqual([]);
  });

  it('keeps the hostile text in comments and strings only', () => {
    const names = identifiers(text);
    for (const injected of ['alert', 'pwned', 'script']) expect(names.has(injected), injected).toBe(false);
    const syntax = ts.createSourceFile('module.ts', text, ts.ScriptTarget.ES2022, true) as unknown as {
      parseDiagnostics: unknown[];
    };
    expect(syntax.parseDiagnostics).toEqual([]);
  });

  it('keeps the weight names exactly, quotes and all', () => {
    const kernel = model.graph.nodes.flatMap((n) => n.weights).find((w) => w.name.includes('pwned'))!;
    expect(kernel.name).toBe('class/w\'"`${pwned()}*/\\n/kernel');
    const manifest = ts.createSourceFile('module.ts', text, ts.ScriptTarget.ES2022, true);
    const strings: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node)) strings.push(node.text);
      ts.forEachChild(node, visit);
    };
    visit(manifest);
    expect(strings).toContain(kernel.name);
  });

  it('behaves as the interpreter does, with outputs named as in the .seg file', async () => {
    await useBackend('cpu');
    const weights = initialWeights(model.graph, 5);
    const input = seededTensor<tf.Rank.R4>([1, 8, 6, 2], 9);
    const interpreter = SegModel.fromTensors(model.graph, model.sizes, weights);
    const expected = interpreter.predict(input);
    const module = (await import('./golden/injection.js')) as unknown as Record<
      string,
      (w: ReadonlyMap<string, tf.Tensor>) => { predict(i: object): Record<string, tf.Tensor>; dispose(): void }
    >;
    const before = tf.memory().numTensors;
    const code = module.createEvil!(weights);
    const actual = code.predict({ image: input });
    expect(Object.getPrototypeOf(actual)).toBe(Object.prototype);
    expect(Object.keys(actual).sort()).toEqual(['__proto__', 'default', 'inputs']);
    for (const name of Object.keys(expected))
      expect(Array.from(actual[name]!.dataSync()), name).toEqual(Array.from(expected[name]!.dataSync()));
    tf.dispose(Object.values(actual));
    code.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([Object.values(expected), [...weights.values()], input]);
    interpreter.dispose();
  });

  it('checks the where clauses as the interpreter does', async () => {
    const module = (await import('./golden/injection.js')) as unknown as Record<
      string,
      (w: ReadonlyMap<string, tf.Tensor>) => { predict(i: object): unknown; dispose(): void }
    >;
    const weights = initialWeights(model.graph, 1);
    const code = module.createEvil!(weights);
    const [input, flat] = [tf.zeros([1, 6, 6, 2]), tf.zeros([1, 8, 8])];
    const before = tf.memory().numTensors;
    expect(() => code.predict({ image: input })).toThrow(
      'the input sizes H = 6 break `H % 4 == 0`: resize the input to a size the model accepts',
    );
    expect(() => code.predict({ image: flat })).toThrow('the input `image` must have rank 4, got shape [1, 8, 8]');
    expect(tf.memory().numTensors).toBe(before);
    code.dispose();
    tf.dispose([input, flat, ...weights.values()]);
  });
});
