/**
 * The `.seg` front end: `parse` turns source text into an AST plus every syntax diagnostic,
 * `print` turns an AST back into canonical source.
 */
import type { CstNode, IRecognitionException, IToken } from 'chevrotain';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Comment, Program } from './ast.js';
import { DocComments } from './doc-comments.js';
import { decodeExpectation } from './error-provider.js';
import { repairKeywordNames } from './keyword-names.js';
import { tokenize } from './lexical-checks.js';
import { At, Block, Import, Model } from './lexer.js';
import { nestingProblem } from './nesting.js';
import { segParser } from './parser.js';
import { LineIndex } from './spans.js';
import { syntaxDiagnostics } from './syntax-errors.js';
import { AstBuilder } from './visitor.js';
import { codes } from '../diagnostics/codes.js';

export { print } from './printer.js';

export interface ParseResult {
  readonly program: Program;
  readonly diagnostics: readonly Diagnostic[];
}

interface ParsedTokens {
  readonly programs: CstNode[];
  readonly errors: IRecognitionException[];
}

const DECLARATION_STARTERS = new Set([Import.name, Block.name, Model.name]);

/** After junk at the top level, parsing restarts at the next token that can begin a declaration. */
function restartIndex(tokens: readonly IToken[], from: number): number | undefined {
  for (let index = from + 1; index < tokens.length; index++) {
    const token = tokens[index]!;
    const firstOnLine = token.startLine !== tokens[index - 1]?.endLine;
    if (DECLARATION_STARTERS.has(token.tokenType.name)) return index;
    if (token.tokenType === At && firstOnLine) return index;
  }
  return undefined;
}

function parseTokens(tokens: IToken[]): ParsedTokens {
  const programs: CstNode[] = [];
  const errors: IRecognitionException[] = [];
  let rest = tokens;
  for (;;) {
    programs.push(segParser.parseProgram(rest));
    const found = [...segParser.errors];
    errors.push(...found);
    const redundant = found.find((error) => decodeExpectation(error.message)?.kind === 'redundantInput');
    const at = redundant ? rest.indexOf(redundant.token) : -1;
    const restart = at >= 0 ? restartIndex(rest, at) : undefined;
    if (restart === undefined) return { programs, errors };
    rest = rest.slice(restart);
  }
}

function toComment(token: IToken, lines: LineIndex): Comment {
  return { kind: 'Comment', text: token.image, span: lines.tokenSpan(token)! };
}

function parseChecked(source: string, file: string): ParseResult {
  const lines = new LineIndex(source, file);
  const lexed = tokenize(source, lines);
  const diagnostics = [...lexed.diagnostics];
  const tokens = repairKeywordNames(lexed.tokens, lines, diagnostics);
  const docs = new DocComments(tokens, lexed.comments, lexed.docComments);
  const tooDeep = nestingProblem(tokens, lines);
  const parsed = tooDeep ? { programs: [], errors: [] } : parseTokens(tokens);
  if (tooDeep) diagnostics.push(tooDeep);
  diagnostics.push(...syntaxDiagnostics(parsed.errors, source, tokens, lines));
  const builder = new AstBuilder(lines, docs);
  const pending = builder.build(parsed.programs, lines.span(0, source.length), []);
  const comments = [...lexed.comments, ...docs.leftovers()]
    .sort((a, b) => a.startOffset - b.startOffset)
    .map((token) => toComment(token, lines));
  return { program: { ...pending, comments }, diagnostics: sortDiagnostics(diagnostics) };
}

function failure(source: string, file: string, error: unknown): ParseResult {
  const lines = new LineIndex(source, file);
  const span = lines.span(0, 0);
  const message = error instanceof Error ? error.message : String(error);
  const program: Program = {
    kind: 'Program',
    imports: [],
    declarations: [],
    comments: [],
    span: lines.span(0, source.length),
  };
  const diagnostic: Diagnostic = {
    code: codes.parserFailure,
    severity: 'error',
    message: `the parser failed on this file: ${message}`,
    span,
    hint: 'this is a bug in segc; please report it with the file',
  };
  return { program, diagnostics: [diagnostic] };
}

/**
 * Parses one `.seg` file. Never throws: every problem, however the text is broken, comes back
 * as a diagnostic, and the program holds every declaration and statement that could be read.
 */
export function parse(source: string, file: string): ParseResult {
  try {
    return parseChecked(source, file);
  } catch (error) {
    return failure(source, file, error);
  }
}
