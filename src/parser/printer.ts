/**
 * The canonical formatter: imports first, a blank line between declarations, 2-space indent,
 * one statement per line (a single blank line between statements is kept where the source had
 * one), every comment kept. `print(parse(print(ast)))` equals `print(ast)`.
 */
import type * as Ast from './ast.js';
import { planComments } from './printer-comments.js';
import {
  columnAfter,
  commentText,
  ExpressionPrinter,
  fits,
  type Place,
  type PrintState,
} from './printer-expressions.js';
import { quoteString } from './strings.js';

const INDENT = 2;

/** A `///` line among ordinary comments: printed directly above a statement it would become its doc. */
function looksLikeDoc(comment: Ast.Comment): boolean {
  return comment.text.startsWith('///') && !comment.text.startsWith('////');
}

/** Comments on lines of their own, keeping a blank line where the source had one between two. */
function commentLines(comments: readonly Ast.Comment[], margin: string): string[] {
  return comments.flatMap((comment, index) => {
    const next = comments[index + 1];
    const text = margin + commentText(comment);
    return next && next.span.start.line - comment.span.end.line > 1 ? [text, ''] : [text];
  });
}

function docLines(doc: string | undefined, margin: string): string[] {
  if (doc === undefined) return [];
  return doc.split('\n').map((line) => (line === '' ? `${margin}///` : `${margin}/// ${line}`));
}

class ProgramPrinter {
  private readonly expressions: ExpressionPrinter;

  constructor(private readonly state: PrintState) {
    this.expressions = new ExpressionPrinter(state);
  }

  private take(map: Map<Ast.Node, Ast.Comment[]>, node: Ast.Node): Ast.Comment[] {
    const found = map.get(node) ?? [];
    for (const comment of found) this.state.printed.add(comment);
    return found;
  }

  /**
   * Comments above a node, each on its own line. A blank line the source had after one of them
   * is kept; a stray `///` line is always followed by one, or it would document the node.
   */
  private leadingLines(node: Ast.Node, margin: string, doc?: string): string[] {
    const comments = this.take(this.state.plan.leading, node);
    const nodeStart = node.span.start.line - (doc === undefined ? 0 : doc.split('\n').length);
    return comments.flatMap((comment, index) => {
      const next = comments[index + 1];
      const nextLine = next ? next.span.start.line : nodeStart;
      const separate =
        nextLine - comment.span.end.line > 1 || (looksLikeDoc(comment) && (next === undefined || looksLikeDoc(next)));
      return separate ? [margin + commentText(comment), ''] : [margin + commentText(comment)];
    });
  }

  private trailingText(node: Ast.Node): string {
    return this.take(this.state.plan.trailing, node)
      .map((comment) => ` ${commentText(comment)}`)
      .join('');
  }

  private expression(expression: Ast.Expression, indent: number, prefix: string): string {
    return this.expressions.print(expression, { indent, column: indent + prefix.length });
  }

  program(program: Ast.Program): string {
    const sections: string[] = [];
    if (program.imports.length > 0)
      sections.push(program.imports.map((node) => this.importDeclaration(node)).join('\n'));
    for (const declaration of program.declarations) sections.push(this.declaration(declaration));
    const rest = this.take(this.state.plan.dangling, program);
    const forgotten = program.comments.filter((comment) => !this.state.printed.has(comment) && !rest.includes(comment));
    const closing = commentLines([...rest, ...forgotten], '');
    if (closing.length > 0) sections.push(closing.join('\n'));
    return sections.length === 0 ? '' : `${sections.join('\n\n')}\n`;
  }

  private importDeclaration(node: Ast.ImportDecl): string {
    const names = node.names.map((name) => (name.alias ? `${name.name.name} as ${name.alias.name}` : name.name.name));
    const text = `import { ${names.join(', ')} } from ${quoteString(node.from)}${this.trailingText(node)}`;
    return [...this.leadingLines(node, ''), text].join('\n');
  }

  private declaration(node: Ast.Declaration): string {
    const lines = [...this.leadingLines(node, '', node.doc), ...docLines(node.doc, '')];
    for (const annotation of node.annotations)
      lines.push(this.expressions.annotation(annotation, { indent: 0, column: 0 }));
    const keyword = node.kind === 'BlockDecl' ? 'block' : 'model';
    const header = this.header(`${keyword} ${node.name.name}`, node.params);
    const body = this.body(node);
    const trailing = this.trailingText(node);
    lines.push(body.length === 0 ? `${header} {}${trailing}` : `${header} {\n${body.join('\n')}\n}${trailing}`);
    return lines.join('\n');
  }

  private header(start: string, params: readonly Ast.Param[]): string {
    const inline = `${start}(${params.map((param) => this.param(param, { indent: 0, column: 0 })).join(', ')})`;
    if (fits(`${inline} {`, 0) && !inline.includes('\n')) return inline;
    const margin = ' '.repeat(INDENT);
    const lines = params.map((param) => `${margin}${this.param(param, { indent: INDENT, column: INDENT })},`);
    return `${start}(\n${lines.join('\n')}\n)`;
  }

  private param(param: Ast.Param, place: Place): string {
    const type = param.type ? `: ${param.type.name}${param.type.list ? '[]' : ''}` : '';
    const head = `${param.name.name}${type}`;
    if (!param.default) return head;
    return `${head} = ${this.expressions.print(param.default, { ...place, column: place.column + head.length + 3 })}`;
  }

  private body(node: Ast.Declaration): string[] {
    const margin = ' '.repeat(INDENT);
    const lines: string[] = [];
    let previousEnd: number | undefined;
    for (const statement of node.body) {
      const leading = this.leadingLines(statement, margin, statement.doc);
      const firstLine = this.visualStart(statement);
      if (previousEnd !== undefined && firstLine - previousEnd > 1) lines.push('');
      const trailingComments = this.state.plan.trailing.get(statement) ?? [];
      previousEnd = Math.max(statement.span.end.line, ...trailingComments.map((comment) => comment.span.end.line));
      lines.push(
        ...leading,
        ...docLines(statement.doc, margin),
        margin + this.statement(statement) + this.trailingText(statement),
      );
    }
    lines.push(...commentLines(this.take(this.state.plan.dangling, node), margin));
    return lines;
  }

  /** The first source line of a statement together with its comments and doc lines. */
  private visualStart(statement: Ast.Statement): number {
    const leading = this.state.plan.leading.get(statement) ?? [];
    const docStart = statement.span.start.line - (statement.doc === undefined ? 0 : statement.doc.split('\n').length);
    return Math.min(docStart, ...leading.map((comment) => comment.span.start.line));
  }

  private statement(statement: Ast.Statement): string {
    switch (statement.kind) {
      case 'LetStmt': {
        const names = statement.names.map((name) => name.name).join(', ');
        const prefix = `let ${statement.destructure ? `(${names})` : names} = `;
        return prefix + this.expression(statement.value, INDENT, prefix);
      }
      case 'InputStmt':
        return this.input(statement);
      case 'OutputStmt': {
        const prefix = `output ${statement.name.name} = `;
        return prefix + this.expression(statement.value, INDENT, prefix);
      }
      case 'ReturnStmt':
        return `return ${this.expression(statement.value, INDENT, 'return ')}`;
    }
  }

  /** Appends an expression to a statement's text, placed where the text ends. */
  private append(text: string, expression: Ast.Expression): string {
    return text + this.expressions.print(expression, { indent: INDENT, column: columnAfter(text, INDENT) });
  }

  private input(statement: Ast.InputStmt): string {
    let text = `input ${statement.name.name}: ${statement.type.dtype.name}[`;
    statement.type.dims.forEach((dimension, index) => {
      text = this.append(index > 0 ? `${text}, ` : text, dimension);
    });
    text += ']';
    text += this.expressions.annotations(statement.annotations, { indent: INDENT, column: columnAfter(text, INDENT) });
    statement.constraints.forEach((constraint, index) => {
      text = this.append(`${text}${index === 0 ? ' where ' : ', '}`, constraint);
    });
    return text;
  }
}

/** Formats a program as canonical `.seg` source, keeping every comment. */
export function print(program: Ast.Program): string {
  const state: PrintState = { plan: planComments(program), printed: new Set() };
  return new ProgramPrinter(state).program(program);
}
