/**
 * `--target js`: the generated TypeScript compiled to an ES module and its declarations with
 * the TypeScript compiler (through ts-morph), in memory. The module's exported declarations
 * all carry written types, so the declarations need no type information from tfjs.
 */
import { ModuleKind, ModuleResolutionKind, Project, ScriptTarget } from 'ts-morph';
import { InternalError } from '../diagnostics/diagnostic.js';

export interface CompiledJavaScript {
  readonly javascript: string;
  readonly declarations: string;
}

export function compileToJavaScript(typescript: string, stem: string): CompiledJavaScript {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      target: ScriptTarget.ES2022,
      module: ModuleKind.ES2022,
      moduleResolution: ModuleResolutionKind.Bundler,
      declaration: true,
      strict: true,
      skipLibCheck: true,
      noLib: true,
      outDir: '/out',
    },
  });
  project.createSourceFile(`/src/${stem}.ts`, typescript);
  const output = project.emitToMemory();
  const text = (suffix: string) => output.getFiles().find((f) => f.filePath.endsWith(`/${stem}${suffix}`))?.text;
  const [javascript, declarations] = [text('.js'), text('.d.ts')];
  if (javascript === undefined || declarations === undefined)
    throw new InternalError(`the TypeScript compiler emitted no JavaScript for ${stem}`);
  return { javascript, declarations };
}
