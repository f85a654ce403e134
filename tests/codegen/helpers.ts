/** Shared by the code generation tests: building examples, writing and type-checking modules. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import ts from 'typescript';
import { generateModule } from '../../src/codegen/index.js';
import { type CompiledModel, compile } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import type { Graph } from '../../src/ir/graph.js';
import { initialWeights } from '../../src/runtime/model.js';
import { seededValues } from '../runtime/helpers.js';

export const REPOSITORY = resolve(import.meta.dirname, '../..');
export const GOLDEN = join(import.meta.dirname, 'golden');

export const EXAMPLES = [
  'acol',
  'aspp',
  'deeplabv3plus',
  'deeplabv3plus_small',
  'gap_cam',
  'nin',
  'resnet50',
  'spp',
  'unet',
  'vgg16',
];

export type BuiltModel = CompiledModel & { readonly graph: Graph };

/** Compiles `examples/<stem>.seg` from the repository root, as `segc build` run there would. */
export function compileExample(stem: string): BuiltModel {
  const cwd = process.cwd();
  process.chdir(REPOSITORY);
  try {
    const result = compile(`examples/${stem}.seg`, nodeHost(), {});
    const model = result.models[0];
    if (!model?.graph)
      throw new Error(`examples/${stem}.seg did not compile: ${result.diagnostics.map((d) => d.message).join('; ')}`);
    return model as BuiltModel;
  } finally {
    process.chdir(cwd);
  }
}

export function generateExample(stem: string): string {
  const model = compileExample(stem);
  return generateModule(model, `examples/${stem}.seg`);
}

/**
 * Type-checks modules with `tsc --strict` settings (and unused locals and parameters) in a
 * temporary directory that resolves `@tensorflow/tfjs-core` from the repository. Returns the
 * diagnostics as `file(line): message` lines.
 */
export function typeCheck(files: Readonly<Record<string, string>>): string[] {
  const directory = mkdtempSync(join(tmpdir(), 'segc-codegen-'));
  try {
    symlinkSync(join(REPOSITORY, 'node_modules'), join(directory, 'node_modules'), 'dir');
    mkdirSync(join(directory, 'src'));
    const roots = Object.entries(files).map(([name, text]) => {
      const path = join(directory, 'src', name);
      writeFileSync(path, text);
      return path;
    });
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      // What `segc/runtime` resolves to in an app that installed segc.
      paths: { 'segc/runtime': [join(REPOSITORY, 'src', 'codegen', 'runtime', 'index.ts')] },
    };
    const program = ts.createProgram(roots, options);
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const where =
        d.file && d.start !== undefined
          ? `${d.file.fileName.slice(directory.length + 5)}(${d.file.getLineAndCharacterOfPosition(d.start).line + 1})`
          : '';
      return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The module specifiers a generated module imports, in order. */
export function importsOf(text: string): string[] {
  return [...text.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]!);
}

/** Seeded weights with batch-norm statistics away from their initial 1s and 0s, so folding matters. */
export function weightsFor(model: BuiltModel, seed: number): Map<string, tf.Tensor> {
  const weights = initialWeights(model.graph, seed);
  let offset = seed;
  for (const [name, tensor] of weights) {
    const role = name.slice(name.lastIndexOf('/') + 1);
    const shift = { gamma: 1, movingVariance: 1, beta: 0, movingMean: 0, bias: 0 }[role];
    if (shift === undefined) continue;
    const values = seededValues(tensor.size, ++offset).map((v) => shift + 0.5 * v);
    weights.set(name, tf.tensor(values, tensor.shape));
    tensor.dispose();
  }
  return weights;
}
