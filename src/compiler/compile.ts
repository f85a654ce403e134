/**
 * The compiler driver: load the file and its imports, run the static checks, elaborate each
 * model to IR (shape checking as it goes), then run the IR passes.
 */
import { type Diagnostic, sortDiagnostics } from '../diagnostics/diagnostic.js';
import { CHECKS, runChecks } from '../check/index.js';
import { type ElaborateOptions, elaborateModel } from '../ir/elaborate.js';
import type { Graph } from '../ir/graph.js';
import { type PassOptions, runPasses } from '../ir/passes/index.js';
import type { SizeSpace } from '../shapes/sizes.js';
import type { ModelDecl } from '../parser/ast.js';
import { type CompilerHost, type LoadedProgram, loadProgram, loadSource } from '../program/modules.js';
import { codes } from '../diagnostics/codes.js';

export interface CompileOptions extends ElaborateOptions, PassOptions {
  /** Only this model of the entry file (default: all of them). */
  readonly model?: string;
}

export interface CompiledModel {
  readonly name: string;
  readonly declaration: ModelDecl;
  /** Undefined when the model has errors. */
  readonly graph?: Graph;
  readonly sizes: SizeSpace;
}

export interface CompileResult {
  readonly program: LoadedProgram;
  readonly models: readonly CompiledModel[];
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
}

export function compile(entry: string, host: CompilerHost, options: CompileOptions = {}): CompileResult {
  return compileLoaded(loadProgram(entry, host), options);
}

export function compileSource(
  source: string,
  file: string,
  options: CompileOptions = {},
  host?: CompilerHost,
): CompileResult {
  return compileLoaded(loadSource(source, file, host), options);
}

function compileLoaded(program: LoadedProgram, options: CompileOptions): CompileResult {
  const diagnostics: Diagnostic[] = [...program.diagnostics];
  const models: CompiledModel[] = [];
  const entry = program.modules.get(program.entry);
  // After a syntax error the AST is partial; checking it would report mistakes that are not there.
  const syntaxErrors = program.diagnostics.some((d) => d.severity === 'error');
  if (entry && !syntaxErrors) {
    diagnostics.push(...runChecks(program, CHECKS));
    const declarations = entry.program.declarations.filter((d): d is ModelDecl => d.kind === 'ModelDecl');
    const selected = options.model ? declarations.filter((d) => d.name.name === options.model) : declarations;
    if (options.model && selected.length === 0) {
      const names = declarations.map((d) => d.name.name);
      diagnostics.push({
        code: codes.noSuchModel,
        severity: 'error',
        message: `\`${program.entry}\` has no model named \`${options.model}\``,
        hint: names.length ? `its models: ${names.join(', ')}` : 'this file declares no model',
        span: entry.program.span,
      });
    }
    for (const declaration of selected) {
      const result = elaborateModel(program, entry, declaration, options);
      diagnostics.push(...result.diagnostics);
      const graph = result.graph ? runPasses(result.graph, result.sizes, options, diagnostics) : undefined;
      models.push({ name: declaration.name.name, declaration, sizes: result.sizes, ...(graph ? { graph } : {}) });
    }
  }
  return { program, models, diagnostics: sortDiagnostics(diagnostics), sources: program.sources };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
