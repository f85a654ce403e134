/**
 * Loading a `.seg` file and everything it imports. File access goes through a host so the
 * compiler runs in a browser too (the Node host lives in node-host.ts).
 */
import type { Diagnostic, Span } from '../diagnostics/diagnostic.js';
import type { Declaration, Program } from '../parser/ast.js';
import { type ParseResult, parse } from '../parser/index.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { codes } from '../diagnostics/codes.js';

export interface CompilerHost {
  /** The file's text, or undefined when it does not exist. */
  readFile(path: string): string | undefined;
  /** Resolves an import path as written (`./aspp.seg`, `std/heads.seg`) from the importing file. */
  resolveImport(from: string, specifier: string): string;
  /** The `.seg` files next to where `specifier` points, written as imports would name them, for suggestions. */
  neighbours?(from: string, specifier: string): string[];
  /**
   * Parses a file, or returns an earlier parse of the same text: an editor re-checks a file on
   * every keystroke and reuses its imports and `std/` unchanged. Default: parse every time.
   */
  parse?(source: string, path: string): ParseResult;
}

export interface Module {
  readonly path: string;
  readonly source: string;
  readonly program: Program;
  /** Declarations by name: this file's own and its imports (under their local alias). */
  readonly scope: ReadonlyMap<string, DeclarationRef>;
}

export interface DeclarationRef {
  readonly declaration: Declaration;
  readonly module: string;
}

export interface LoadedProgram {
  readonly entry: string;
  readonly modules: ReadonlyMap<string, Module>;
  readonly sources: ReadonlyMap<string, string>;
  readonly diagnostics: readonly Diagnostic[];
}

/** Parses the entry file and its imports (transitively), reporting missing files and cycles. */
export function loadProgram(entry: string, host: CompilerHost): LoadedProgram {
  const loader = new Loader(host);
  loader.load(entry, undefined, []);
  return { entry, modules: loader.modules, sources: loader.sources, diagnostics: loader.diagnostics };
}

/** Parses one in-memory source with no imports resolved from disk (tests, editors). */
export function loadSource(source: string, file: string, host?: CompilerHost): LoadedProgram {
  const files = new Map([[file, source]]);
  const inner: CompilerHost = {
    readFile: (p) => files.get(p) ?? host?.readFile(p),
    resolveImport: (from, spec) => (host ? host.resolveImport(from, spec) : spec),
    neighbours: (from, spec) => host?.neighbours?.(from, spec) ?? [],
    ...(host?.parse ? { parse: host.parse.bind(host) } : {}),
  };
  return loadProgram(file, inner);
}

class Loader {
  readonly modules = new Map<string, Module>();
  readonly sources = new Map<string, string>();
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly host: CompilerHost) {}

  load(
    path: string,
    importedAt: Span | undefined,
    stack: string[],
    specifier?: { from: string; written: string },
  ): Module | undefined {
    const existing = this.modules.get(path);
    if (existing) return existing;
    if (stack.includes(path)) {
      const cycle = [...stack.slice(stack.indexOf(path)), path].join(' -> ');
      this.report(
        codes.importCycle,
        importedAt,
        `import cycle: ${cycle}`,
        'move the shared blocks into a file that both can import',
      );
      return undefined;
    }
    const source = this.host.readFile(path);
    if (source === undefined) {
      this.report(
        codes.importNotFound,
        importedAt,
        `cannot find the file \`${path}\``,
        this.missingFileHint(specifier),
      );
      return undefined;
    }
    this.sources.set(path, source);
    const { program, diagnostics } = this.host.parse?.(source, path) ?? parse(source, path);
    this.diagnostics.push(...diagnostics);
    const scope = new Map<string, DeclarationRef>();
    const module: Module = { path, source, program, scope };
    for (const declaration of program.declarations) {
      if (!scope.has(declaration.name.name)) scope.set(declaration.name.name, { declaration, module: path });
    }
    this.resolveImports(module, scope, [...stack, path]);
    this.modules.set(path, module);
    return module;
  }

  private missingFileHint(specifier: { from: string; written: string } | undefined): string {
    const neighbours = specifier ? (this.host.neighbours?.(specifier.from, specifier.written) ?? []) : [];
    const suggestion = specifier ? didYouMean(specifier.written, neighbours) : undefined;
    if (suggestion) return suggestion;
    if (neighbours.length > 0) return `the files there: ${neighbours.map((n) => `\`${n}\``).join(', ')}`;
    return 'check the path; `std/...` names the standard library, `./...` is relative to this file';
  }

  private resolveImports(module: Module, scope: Map<string, DeclarationRef>, stack: string[]): void {
    for (const decl of module.program.imports) {
      const written = { from: module.path, written: decl.from };
      const target = this.load(this.host.resolveImport(module.path, decl.from), decl.fromSpan, stack, written);
      if (!target) continue;
      for (const item of decl.names) {
        const local = item.alias ?? item.name;
        const found = target.program.declarations.find((d) => d.name.name === item.name.name);
        if (!found) {
          const names = target.program.declarations.map((d) => d.name.name);
          const hint =
            didYouMean(item.name.name, names) ?? `\`${decl.from}\` declares: ${names.join(', ') || 'nothing'}`;
          this.report(
            codes.importedNameMissing,
            item.name.span,
            `\`${decl.from}\` has no block or model named \`${item.name.name}\``,
            hint,
          );
          continue;
        }
        if (scope.has(local.name) && scope.get(local.name)!.declaration !== found) {
          this.report(
            codes.importClash,
            local.span,
            `\`${local.name}\` is already declared in this file`,
            'import it under another name with `as`',
          );
          continue;
        }
        scope.set(local.name, { declaration: found, module: target.path });
      }
    }
  }

  private report(code: string, span: Span | undefined, message: string, hint: string): void {
    if (!span) {
      this.diagnostics.push({
        code,
        severity: 'error',
        message,
        hint,
        span: {
          file: '<command line>',
          start: { offset: 0, line: 1, column: 1 },
          end: { offset: 0, line: 1, column: 1 },
        },
      });
      return;
    }
    this.diagnostics.push({ code, severity: 'error', message, hint, span });
  }
}
