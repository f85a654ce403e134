/**
 * Go to definition, find references, rename, the outline (document symbols) and semantic
 * tokens, all read off the occurrence index (symbols.ts).
 */
import type { Span } from '../diagnostics/diagnostic.js';
import type * as ast from '../parser/ast.js';
import { KEYWORDS } from '../parser/lexer.js';
import type { Analysis, Location, Range, Workspace } from './analysis.js';
import { locate } from './diagnostics.js';
import { type Occurrence, type Target, occurrenceAt, occurrences, sameTarget } from './symbols.js';

export const KEYWORD_WORDS: ReadonlySet<string> = new Set(KEYWORDS.map((k) => (k.PATTERN as RegExp).source));

export function definition(workspace: Workspace, analysis: Analysis, offset: number): Location[] {
  const target = analysis.module ? occurrenceAt(analysis.module, offset)?.target : undefined;
  const span = target ? definitionSpan(target) : undefined;
  return span ? [locate(workspace, span)] : [];
}

function definitionSpan(target: Target): Span | undefined {
  switch (target.kind) {
    case 'binding':
      return target.span;
    case 'declaration':
      return target.declaration.name.span;
    case 'argument':
      return target.callee?.kind === 'declaration'
        ? target.callee.declaration.params.find((p) => p.name.name === target.name)?.name.span
        : undefined;
    default:
      return undefined;
  }
}

/** Every occurrence of what the name at `offset` refers to, in the program and the open documents. */
export function references(
  workspace: Workspace,
  analysis: Analysis,
  offset: number,
  includeDeclaration: boolean,
  others: readonly Analysis[] = [],
): Location[] {
  const at = analysis.module ? occurrenceAt(analysis.module, offset) : undefined;
  if (!at?.target) return [];
  return sameOccurrences(analysis, at.target, others)
    .filter((o) => includeDeclaration || !o.defines)
    .map((o) => locate(workspace, o.span));
}

function sameOccurrences(analysis: Analysis, target: Target, others: readonly Analysis[]): Occurrence[] {
  const seen = new Set<string>();
  const found: Occurrence[] = [];
  const modules = [analysis, ...others].flatMap((a) => [...a.program.modules.values()]);
  for (const module of modules) {
    if (seen.has(module.path)) continue;
    seen.add(module.path);
    found.push(...occurrences(module).filter((o) => sameTarget(o.target, target)));
  }
  return found;
}

export interface RenameEdit {
  readonly path: string;
  readonly range: Range;
  readonly newText: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What can be renamed: a `let`, parameter, input, loop variable, block or model. */
export function renameRange(workspace: Workspace, analysis: Analysis, offset: number): Range | undefined {
  const at = analysis.module ? occurrenceAt(analysis.module, offset) : undefined;
  const renamable = at?.target && (at.target.kind === 'binding' || at.target.kind === 'declaration');
  return renamable ? workspace.linesOf(analysis.path).range(at.span) : undefined;
}

/** The edits, or a message saying why the rename is refused. */
export function rename(
  workspace: Workspace,
  analysis: Analysis,
  offset: number,
  newName: string,
  others: readonly Analysis[] = [],
): RenameEdit[] | string {
  if (!IDENTIFIER.test(newName) || KEYWORD_WORDS.has(newName))
    return `\`${newName}\` is not a name: names are letters, digits and _ and no keyword`;
  const at = analysis.module ? occurrenceAt(analysis.module, offset) : undefined;
  if (!at?.target || (at.target.kind !== 'binding' && at.target.kind !== 'declaration'))
    return 'only a let, parameter, input, variable, block or model can be renamed';
  return sameOccurrences(analysis, at.target, others).map((o) => ({ ...locate(workspace, o.span), newText: newName }));
}

export interface OutlineSymbol {
  readonly name: string;
  readonly detail: string;
  /** LSP SymbolKind: 5 class, 12 function, 13 variable, 8 field, 7 property, 26 type parameter. */
  readonly kind: number;
  readonly range: Range;
  readonly selectionRange: Range;
  readonly children: readonly OutlineSymbol[];
}

export function documentSymbols(workspace: Workspace, analysis: Analysis): OutlineSymbol[] {
  const lines = workspace.linesOf(analysis.path);
  const symbol = (
    name: ast.Identifier,
    node: ast.Node,
    kind: number,
    detail: string,
    children: OutlineSymbol[] = [],
  ): OutlineSymbol => ({
    name: name.name,
    detail,
    kind,
    range: lines.range(node.span),
    selectionRange: lines.range(name.span),
    children,
  });
  return (analysis.module?.program.declarations ?? []).map((declaration) => {
    const children = [
      ...declaration.params.map((p) =>
        symbol(p.name, p, 13, p.type ? `${p.type.name}${p.type.list ? '[]' : ''}` : 'tensor'),
      ),
      ...declaration.body.flatMap((s) => statementSymbols(s, symbol)),
    ];
    return symbol(
      declaration.name,
      declaration,
      declaration.kind === 'ModelDecl' ? 5 : 12,
      declaration.kind === 'ModelDecl' ? 'model' : 'block',
      children,
    );
  });
}

type MakeSymbol = (name: ast.Identifier, node: ast.Node, kind: number, detail: string) => OutlineSymbol;

function statementSymbols(statement: ast.Statement, symbol: MakeSymbol): OutlineSymbol[] {
  switch (statement.kind) {
    case 'LetStmt':
      return statement.names.map((n) => symbol(n, statement, 13, 'let'));
    case 'InputStmt':
      return [symbol(statement.name, statement, 8, 'input')];
    case 'OutputStmt':
      return [symbol(statement.name, statement, 7, 'output')];
    default:
      return [];
  }
}

export const TOKEN_TYPES = [
  'class',
  'function',
  'parameter',
  'variable',
  'property',
  'decorator',
  'typeParameter',
] as const;
export const TOKEN_MODIFIERS = ['declaration', 'defaultLibrary'] as const;

function tokenOf(occurrence: Occurrence): [type: number, modifiers: number] | undefined {
  const target = occurrence.target;
  const declaration = occurrence.defines ? 1 : 0;
  switch (target?.kind) {
    case 'declaration':
      return [target.declaration.kind === 'ModelDecl' ? 0 : 1, declaration];
    case 'operation':
    case 'builtin':
      return [1, 2];
    case 'binding':
      return [target.binding === 'parameter' ? 2 : target.binding === 'symbol' ? 6 : 3, declaration];
    case 'argument':
      return [4, 0];
    case 'annotation':
      return [5, 0];
    default:
      return undefined;
  }
}

/** The LSP's relative encoding: line delta, start delta, length, type, modifiers per token. */
export function semanticTokens(workspace: Workspace, analysis: Analysis): number[] {
  const lines = workspace.linesOf(analysis.path);
  const data: number[] = [];
  let line = 0;
  let character = 0;
  for (const occurrence of analysis.module ? occurrences(analysis.module) : []) {
    if (occurrence.span.file !== analysis.path) continue;
    const token = tokenOf(occurrence);
    if (!token) continue;
    const start = lines.place(occurrence.span.start.offset);
    data.push(
      start.line - line,
      start.line === line ? start.character - character : start.character,
      occurrence.span.end.offset - occurrence.span.start.offset,
      token[0],
      token[1],
    );
    line = start.line;
    character = start.character;
  }
  return data;
}
