/**
 * Code generation: a compiled model as a typed TypeScript module (`segc build`). The module
 * imports only `@tensorflow/tfjs-core` and runs the same kernels as the interpreter; see
 * docs/codegen.md.
 */
import { basename, extname } from 'node:path';
import type { Graph } from '../ir/graph.js';
import { writeIR } from '../ir/json.js';
import { compileToJavaScript } from './javascript.js';
import { type ModelSource, generateModule } from './module.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export { generateModule, type ModelSource } from './module.js';
export { moduleNames, type ModuleNames } from './names.js';
export { compileToJavaScript } from './javascript.js';

export type BuildTarget = 'ts' | 'js';

export interface GeneratedFile {
  /** Relative to the output directory. */
  readonly path: string;
  readonly text: string;
}

export interface BuildRequest extends ModelSource {
  /** The `.seg` file as it should appear in comments (as given on the command line). */
  readonly source: string;
  /** The file name without extension, e.g. `gap_cam`. */
  readonly stem: string;
}

/**
 * The files for one model: `<stem>.ts` and the IR beside it (`<stem>.ir.json`); with target
 * `js` also `<stem>.js` and `<stem>.d.ts`.
 */
export function buildFiles(request: BuildRequest, target: BuildTarget = 'ts'): GeneratedFile[] {
  const typescript = generateModule(request, request.source);
  const files: GeneratedFile[] = [
    { path: `${request.stem}.ts`, text: typescript },
    { path: `${request.stem}.ir.json`, text: writeIR(request.graph) },
  ];
  if (target === 'js') {
    const compiled = compileToJavaScript(typescript, request.stem);
    files.push(
      { path: `${request.stem}.js`, text: compiled.javascript },
      { path: `${request.stem}.d.ts`, text: compiled.declarations },
    );
  }
  return files;
}

/**
 * The stem of each model's files: the `.seg` file's own stem for a single model, and
 * `<stem>.<Model>` when one file holds several. Two models that would share a stem are an error.
 */
export function moduleStems(sourcePath: string, graphs: readonly Graph[]): string[] {
  const stem = basename(sourcePath, extname(sourcePath));
  const stems = graphs.length === 1 ? [stem] : graphs.map((g) => `${stem}.${g.model}`);
  const seen = new Set<string>();
  for (const [index, candidate] of stems.entries()) {
    if (seen.has(candidate)) {
      throw diagnosticError(codes.fileClash, `two models would be written to ${candidate}.ts`, {
        hint: 'build one of them with --model NAME',
        span: graphs[index]!.nodes[0]?.span ?? {
          file: sourcePath,
          start: { offset: 0, line: 1, column: 1 },
          end: { offset: 0, line: 1, column: 1 },
        },
      });
    }
    seen.add(candidate);
  }
  return stems;
}
