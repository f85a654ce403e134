/**
 * Canonical printing of expressions: minimal parentheses (only where precedence needs them,
 * plus every ParenExpr the user wrote), lists of branches one item per line, pipelines that
 * do not fit in the width broken before each `->`.
 */
import type * as Ast from './ast.js';
import type { CommentPlan } from './printer-comments.js';
import { quoteString } from './strings.js';

export const WIDTH = 100;
const CONTINUATION_INDENT = 2;

/** Binding strength, loosest first; an operand looser than its slot needs parentheses. */
export const Level = {
  Pipeline: 0,
  Ternary: 1,
  Or: 2,
  And: 3,
  Equality: 4,
  Relational: 5,
  Additive: 6,
  Multiplicative: 7,
  Unary: 8,
  Postfix: 9,
  Primary: 10,
} as const;

export type Level = (typeof Level)[keyof typeof Level];

const OPERATOR_LEVELS: Readonly<Record<Ast.BinaryOperator, Level>> = {
  '||': Level.Or,
  '&&': Level.And,
  '==': Level.Equality,
  '!=': Level.Equality,
  '<': Level.Relational,
  '<=': Level.Relational,
  '>': Level.Relational,
  '>=': Level.Relational,
  '+': Level.Additive,
  '-': Level.Additive,
  '*': Level.Multiplicative,
  '/': Level.Multiplicative,
  '%': Level.Multiplicative,
};

export function levelOf(expression: Ast.Expression): Level {
  switch (expression.kind) {
    case 'PipelineExpr':
      return Level.Pipeline;
    case 'ConditionalExpr':
      return Level.Ternary;
    case 'BinaryExpr':
      return OPERATOR_LEVELS[expression.operator];
    case 'UnaryExpr':
      return Level.Unary;
    case 'IndexExpr':
    case 'AnnotatedExpr':
      return Level.Postfix;
    default:
      return Level.Primary;
  }
}

/** Where an expression starts: the indentation of its line and the column it starts at (0-based). */
export interface Place {
  readonly indent: number;
  readonly column: number;
}

export interface PrintState {
  readonly plan: CommentPlan;
  readonly printed: Set<Ast.Comment>;
}

/** The column after `text` when it is printed starting at `column`. */
export function columnAfter(text: string, column: number): number {
  const newline = text.lastIndexOf('\n');
  return newline === -1 ? column + text.length : text.length - newline - 1;
}

export function fits(text: string, column: number): boolean {
  return text.split('\n').every((line, index) => (index === 0 ? column : 0) + line.length <= WIDTH);
}

function containsPipeline(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(containsPipeline);
  if (typeof node !== 'object' || node === null) return false;
  if ((node as Ast.Node).kind === 'PipelineExpr') return true;
  return Object.entries(node).some(([key, value]) => key !== 'span' && containsPipeline(value));
}

/** Line comments (and comments spanning lines) cannot share a line with code that follows. */
export function needsOwnLine(comment: Ast.Comment): boolean {
  return comment.text.startsWith('//') || comment.text.includes('\n');
}

/** A comment as printed: line comments lose trailing spaces. */
export function commentText(comment: Ast.Comment): string {
  return comment.text.startsWith('//') ? comment.text.trimEnd() : comment.text;
}

export class ExpressionPrinter {
  /** While above zero, nothing breaks except lists that must: the "does it fit on one line" try. */
  private flat = 0;

  constructor(private readonly state: PrintState) {}

  /** Prints in flat mode: the outermost construct that does not fit is the one that breaks. */
  private flatly(print: () => string): string {
    this.flat++;
    try {
      return print();
    } finally {
      this.flat--;
    }
  }

  private comments(map: Map<Ast.Node, Ast.Comment[]>, node: Ast.Node): Ast.Comment[] {
    const found = map.get(node) ?? [];
    for (const comment of found) this.state.printed.add(comment);
    return found;
  }

  print(expression: Ast.Expression, place: Place, minimum: Level = Level.Pipeline): string {
    if (levelOf(expression) < minimum) {
      return `(${this.print(expression, { ...place, column: place.column + 1 })})`;
    }
    return this.unparenthesized(expression, place);
  }

  private unparenthesized(expression: Ast.Expression, place: Place): string {
    switch (expression.kind) {
      case 'NumberLiteral':
        return expression.raw;
      case 'StringLiteral':
        return quoteString(expression.value);
      case 'BoolLiteral':
        return String(expression.value);
      case 'Identifier':
        return expression.name;
      case 'ListExpr':
        return this.list(expression, place);
      case 'TupleExpr':
        return `(${this.sequence(expression.elements, { ...place, column: place.column + 1 })})`;
      case 'ParenExpr':
        return `(${this.print(expression.expression, { ...place, column: place.column + 1 })})`;
      case 'CallExpr':
        return this.call(expression.callee.name, expression.args, place);
      case 'PipelineExpr':
        return this.pipeline(expression, place);
      default:
        return this.operation(expression, place);
    }
  }

  private operation(expression: Ast.Expression, place: Place): string {
    switch (expression.kind) {
      case 'BinaryExpr':
        return this.binary(expression, place);
      case 'UnaryExpr':
        return `${expression.operator}${this.print(expression.operand, { ...place, column: place.column + 1 }, Level.Unary)}`;
      case 'ConditionalExpr':
        return this.conditional(expression, place);
      case 'IndexExpr': {
        const target = this.print(expression.target, place, Level.Postfix);
        const index = this.print(expression.index, { ...place, column: columnAfter(target, place.column) + 1 });
        return `${target}[${index}]`;
      }
      case 'AnnotatedExpr': {
        const inner = this.print(expression.expression, place, Level.Postfix);
        return `${inner}${this.annotations(expression.annotations, { ...place, column: columnAfter(inner, place.column) })}`;
      }
      default:
        return this.unparenthesized(expression, place);
    }
  }

  /** Prints the parts one after another, each placed where the previous one ended. */
  private chain(place: Place, parts: ReadonlyArray<string | ((column: number) => string)>): string {
    let text = '';
    for (const part of parts) text += typeof part === 'string' ? part : part(columnAfter(text, place.column));
    return text;
  }

  private binary(expression: Ast.BinaryExpr, place: Place): string {
    const level = OPERATOR_LEVELS[expression.operator];
    return this.chain(place, [
      (column) => this.print(expression.left, { ...place, column }, level),
      ` ${expression.operator} `,
      (column) => this.print(expression.right, { ...place, column }, (level + 1) as Level),
    ]);
  }

  private conditional(expression: Ast.ConditionalExpr, place: Place): string {
    const branch = (condition: Ast.ConditionalExpr, at: Place) =>
      this.chain(at, [
        (column) => this.print(condition.condition, { ...at, column }, Level.Or),
        ' ? ',
        (column) => this.print(condition.then, { ...at, column }),
      ]);
    const inline = this.flatly(() =>
      this.chain(place, [
        (column) => branch(expression, { ...place, column }),
        ' : ',
        (column) => this.print(expression.otherwise, { ...place, column }),
      ]),
    );
    if (this.flat > 0 || fits(inline, place.column)) return inline;
    // a chain `a ? x : b ? y : z` breaks before each `:`, one condition per line
    const indent = place.indent + CONTINUATION_INDENT;
    const margin = `\n${' '.repeat(indent)}: `;
    const first = branch(expression, place);
    // A branch that does not fit beside its condition goes on a line of its own, `?` first.
    if (first.includes('\n') && expression.otherwise.kind !== 'ConditionalExpr') {
      const condition = this.print(expression.condition, place, Level.Or);
      const then = this.print(expression.then, { indent, column: indent + 2 });
      return `${condition}\n${' '.repeat(indent)}? ${then}${margin}${this.print(expression.otherwise, { indent, column: indent + 2 })}`;
    }
    let text = first;
    let rest = expression.otherwise;
    for (; rest.kind === 'ConditionalExpr'; rest = rest.otherwise)
      text += margin + branch(rest, { indent, column: indent + 2 });
    return text + margin + this.print(rest, { indent, column: indent + 2 });
  }

  private sequence(expressions: readonly Ast.Expression[], place: Place): string {
    return this.chain(
      place,
      expressions.flatMap((expression, index) => [
        ...(index > 0 ? [', '] : []),
        (column: number) => this.print(expression, { ...place, column }),
      ]),
    );
  }

  argument(argument: Ast.Argument, place: Place): string {
    const name = argument.name ? `${argument.name.name}: ` : '';
    return name + this.print(argument.value, { ...place, column: place.column + name.length });
  }

  /** `f(a, b)`, or one argument per line when that does not fit. */
  call(callee: string, args: readonly Ast.Argument[], place: Place): string {
    const parts = args.flatMap((argument, index) => [
      ...(index > 0 ? [', '] : []),
      (column: number) => this.argument(argument, { ...place, column }),
    ]);
    const inline = this.flatly(() => this.chain(place, [`${callee}(`, ...parts, ')']));
    if (this.flat > 0 || fits(inline, place.column) || args.length === 0) return inline;
    const indent = place.indent + 2;
    const lines = args.map(
      (argument) => `${' '.repeat(indent)}${this.argument(argument, { indent, column: indent })},`,
    );
    return `${callee}(\n${lines.join('\n')}\n${' '.repeat(place.indent)})`;
  }

  /** `@name` or `@name(arguments)`. */
  annotation(annotation: Ast.Annotation, place: Place): string {
    const name = `@${annotation.name.name}`;
    return annotation.args.length === 0 ? name : this.call(name, annotation.args, place);
  }

  /** Annotations after an expression or stage, each preceded by a space. */
  annotations(annotations: readonly Ast.Annotation[], place: Place): string {
    return this.chain(
      place,
      annotations.flatMap((annotation) => [' ', (column: number) => this.annotation(annotation, { ...place, column })]),
    );
  }

  stage(stage: Ast.Stage, place: Place): string {
    if (stage.kind === 'CallStage') {
      const head = stage.args === undefined ? stage.callee.name : this.call(stage.callee.name, stage.args, place);
      return head + this.annotations(stage.annotations, { ...place, column: columnAfter(head, place.column) });
    }
    const header = (column: number) =>
      this.chain({ ...place, column }, [
        'repeat ',
        (at) => this.print(stage.count, { ...place, column: at }, Level.Ternary),
        stage.variable ? ` as ${stage.variable.name}` : '',
        ' {',
      ]);
    const inline = this.flatly(() =>
      this.chain(place, [
        header,
        ' ',
        ...stage.stages.flatMap((inner, index) => [
          ...(index > 0 ? [' -> '] : []),
          (column: number) => this.stage(inner, { ...place, column }),
        ]),
        ' }',
        (column) => this.annotations(stage.annotations, { ...place, column }),
      ]),
    );
    if (this.flat > 0 || fits(inline, place.column)) return inline;
    // Too wide: the stages go on lines of their own inside the braces, as a pipeline body would.
    const indent = place.indent + 2;
    const body = this.stages(stage.stages, { indent, column: indent });
    const close = `\n${' '.repeat(place.indent)}}`;
    const text = `${header(place.column)}\n${' '.repeat(indent)}${body}${close}`;
    return text + this.annotations(stage.annotations, { ...place, column: columnAfter(text, place.column) });
  }

  /** The stages of a `repeat` body: on one line when they fit, else broken like a pipeline. */
  private stages(stages: readonly Ast.Stage[], place: Place): string {
    const inline = this.flatly(() =>
      this.chain(
        place,
        stages.flatMap((inner, index) => [
          ...(index > 0 ? [' -> '] : []),
          (column: number) => this.stage(inner, { ...place, column }),
        ]),
      ),
    );
    if (fits(inline, place.column)) return inline;
    const indent = place.indent + CONTINUATION_INDENT;
    let text = this.stage(stages[0]!, place);
    for (const stage of stages.slice(1)) text += this.nextStage(stage, text, place, indent);
    return text;
  }

  /** One more stage of a broken pipeline: beside the previous one when it is a short `bn` or `relu`, else on a new line. */
  private nextStage(stage: Ast.Stage, text: string, place: Place, indent: number): string {
    const column = columnAfter(text, place.column);
    const layer = stage.kind === 'RepeatStage' || stage.args !== undefined;
    const sameLine = this.flatly(() => ` -> ${this.stage(stage, { ...place, column: column + 4 })}`);
    return !layer && fits(sameLine, column)
      ? sameLine
      : `\n${' '.repeat(indent)}-> ${this.stage(stage, { indent, column: indent + 3 })}`;
  }

  /**
   * A pipeline that does not fit on one line puts its head alone and starts a new line at every
   * stage with arguments (a layer), keeping argument-less stages (`bn`, `relu`) beside it while
   * they fit: one line per layer, as people write networks.
   */
  private pipeline(expression: Ast.PipelineExpr, place: Place): string {
    const inline = this.flatly(() =>
      this.chain(place, [
        (column) => this.print(expression.head, { ...place, column }, Level.Or),
        ...expression.stages.flatMap((stage) => [' -> ', (column: number) => this.stage(stage, { ...place, column })]),
      ]),
    );
    if (this.flat > 0 || fits(inline, place.column)) return inline;
    const indent = place.indent + CONTINUATION_INDENT;
    let text = this.print(expression.head, place, Level.Or);
    for (const stage of expression.stages) text += this.nextStage(stage, text, place, indent);
    return text;
  }

  listItem(item: Ast.ListItem, place: Place): string {
    if (item.kind !== 'Comprehension') return this.print(item, place);
    return this.chain(place, [
      `for ${item.variable.name} in `,
      (column) => this.print(item.iterable, { ...place, column }, Level.Ternary),
      item.condition ? ' if ' : '',
      (column) => (item.condition ? this.print(item.condition, { ...place, column }, Level.Ternary) : ''),
      ': ',
      (column) => this.print(item.body, { ...place, column }),
    ]);
  }

  private mustBreak(list: Ast.ListExpr): boolean {
    const { leading, trailing, dangling } = this.state.plan;
    if ((dangling.get(list) ?? []).length > 0) return true;
    return list.items.some(
      (item) =>
        containsPipeline(item) || [...(leading.get(item) ?? []), ...(trailing.get(item) ?? [])].some(needsOwnLine),
    );
  }

  private inlineItem(item: Ast.ListItem, column: number, place: Place): string {
    const before = this.comments(this.state.plan.leading, item)
      .map((comment) => `${comment.text} `)
      .join('');
    const body = this.listItem(item, { ...place, column: column + before.length });
    const after = this.comments(this.state.plan.trailing, item)
      .map((comment) => ` ${comment.text}`)
      .join('');
    return before + body + after;
  }

  private list(list: Ast.ListExpr, place: Place): string {
    if (!this.mustBreak(list)) {
      const parts = list.items.flatMap((item, index) => [
        ...(index > 0 ? [', '] : []),
        (column: number) => this.inlineItem(item, column, place),
      ]);
      const inline = this.flatly(() => this.chain(place, ['[', ...parts, ']']));
      if (this.flat > 0 || (!inline.includes('\n') && fits(inline, place.column))) return inline;
    }
    return this.brokenList(list, place);
  }

  private brokenList(list: Ast.ListExpr, place: Place): string {
    const indent = place.indent + 2;
    const margin = ' '.repeat(indent);
    const lines: string[] = [];
    for (const item of list.items) {
      const leading = this.comments(this.state.plan.leading, item);
      // short block comments stay in front of the item; others get lines of their own
      const inline = leading.every((comment) => !needsOwnLine(comment));
      if (!inline) for (const comment of leading) lines.push(margin + commentText(comment));
      const before = inline ? leading.map((comment) => `${comment.text} `).join('') : '';
      const trailing = this.comments(this.state.plan.trailing, item)
        .map((comment) => ` ${commentText(comment)}`)
        .join('');
      lines.push(`${margin}${before}${this.listItem(item, { indent, column: indent + before.length })},${trailing}`);
    }
    for (const comment of this.comments(this.state.plan.dangling, list)) lines.push(margin + commentText(comment));
    return `[\n${lines.join('\n')}\n${' '.repeat(place.indent)}]`;
  }
}
