/**
 * The editor's view of the compiler: a workspace of open documents over a file host, where each
 * check of a document reuses the parses of every file whose text did not change (its imports and
 * `std/`), and a document whose text did not change since the last check is not checked again.
 * Nothing here touches Node or the LSP connection, so the same service runs in a web worker.
 */
import type { Diagnostic, Span } from '../diagnostics/diagnostic.js';
import { type CompileResult, compile } from '../compiler/compile.js';
import { type CompilerHost, type LoadedProgram, type Module, loadProgram } from '../program/modules.js';
import { CHECKS, runChecks } from '../check/index.js';
import { type ParseResult, parse } from '../parser/index.js';

/** A zero-based line and UTF-16 character, as the Language Server Protocol counts. */
export interface Place {
  readonly line: number;
  readonly character: number;
}

export interface Range {
  readonly start: Place;
  readonly end: Place;
}

/** A range in a file, by path (the server turns paths into URIs). */
export interface Location {
  readonly path: string;
  readonly range: Range;
}

export interface Analysis {
  readonly path: string;
  readonly text: string;
  readonly program: LoadedProgram;
  readonly module: Module | undefined;
  /** Present once the models were elaborated (shapes known). */
  readonly compiled?: CompileResult;
  readonly diagnostics: readonly Diagnostic[];
}

/** Line starts of a text, to turn offsets into LSP positions and back. */
export class Lines {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  place(offset: number): Place {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low, character: offset - this.starts[low]! };
  }

  offset(place: Place): number {
    const start = this.starts[Math.min(place.line, this.starts.length - 1)] ?? 0;
    return Math.min(start + place.character, this.text.length);
  }

  range(span: Span): Range {
    return { start: this.place(span.start.offset), end: this.place(span.end.offset) };
  }
}

export class Workspace {
  /** Open documents by path; they win over the files on disk. */
  private readonly documents = new Map<string, string>();
  private readonly parses = new Map<string, { source: string; result: ParseResult }>();
  private readonly analyses = new Map<string, Analysis>();
  private readonly lines = new Map<string, Lines>();
  readonly host: CompilerHost;

  constructor(files: CompilerHost) {
    this.host = {
      readFile: (path) => this.documents.get(path) ?? files.readFile(path),
      resolveImport: (from, specifier) => files.resolveImport(from, specifier),
      parse: (source, path) => this.parse(source, path),
    };
  }

  open(path: string, text: string): void {
    this.documents.set(path, text);
  }

  close(path: string): void {
    this.documents.delete(path);
    this.analyses.delete(path);
  }

  text(path: string): string | undefined {
    return this.host.readFile(path);
  }

  /** Position arithmetic for any file the workspace has seen. */
  linesOf(path: string, text = this.text(path) ?? ''): Lines {
    let lines = this.lines.get(path);
    if (!lines || lines.text !== text) {
      lines = new Lines(text);
      this.lines.set(path, lines);
    }
    return lines;
  }

  /** Parses, resolves and runs the static checks: what an edit needs first, in milliseconds. */
  check(path: string): Analysis {
    const text = this.text(path) ?? '';
    const previous = this.analyses.get(path);
    if (previous && previous.text === text && this.importsUnchanged(previous)) return previous;
    const program = loadProgram(path, this.host);
    const syntaxErrors = program.diagnostics.some((d) => d.severity === 'error');
    const diagnostics = syntaxErrors ? program.diagnostics : [...program.diagnostics, ...runChecks(program, CHECKS)];
    const analysis: Analysis = { path, text, program, module: program.modules.get(path), diagnostics };
    this.analyses.set(path, analysis);
    return analysis;
  }

  /** Elaborates every model of the document too: shapes, parameters and shape errors. */
  elaborate(path: string): Analysis {
    const checked = this.check(path);
    if (checked.compiled) return checked;
    const compiled = compile(path, this.host);
    const analysis: Analysis = {
      ...checked,
      program: compiled.program,
      module: compiled.program.modules.get(path),
      compiled,
      diagnostics: compiled.diagnostics,
    };
    this.analyses.set(path, analysis);
    return analysis;
  }

  private parse(source: string, path: string): ParseResult {
    const cached = this.parses.get(path);
    if (cached && cached.source === source) return cached.result;
    const result = parse(source, path);
    this.parses.set(path, { source, result });
    return result;
  }

  /** An analysis stays valid while every file it read still has the same text. */
  private importsUnchanged(analysis: Analysis): boolean {
    for (const [file, source] of analysis.program.sources) if (this.text(file) !== source) return false;
    return true;
  }
}
