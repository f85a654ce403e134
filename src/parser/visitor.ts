/**
 * CST→AST: one method per grammar rule (validateVisitor() checks that none is missing). After
 * error recovery the CST may lack parts that the grammar requires; a node missing a required
 * part is dropped (its parent keeps the rest) rather than completed with invented names.
 */
import type { CstNode, CstNodeLocation, IToken } from 'chevrotain';
import { joinSpans, type Span } from '../diagnostics/diagnostic.js';
import type * as Ast from './ast.js';
import type * as Cst from './cst-types.js';
import type { DocComments } from './doc-comments.js';
import { isFloatLiteral, numberValue } from './numbers.js';
import { segParser } from './parser.js';
import { isRealToken, type LineIndex } from './spans.js';
import { decodeString } from './strings.js';

const BaseVisitor = segParser.getBaseCstVisitorConstructor();

type Builder<C, T> = (children: C, location: CstNodeLocation | undefined) => T | undefined;

function defined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

export class AstBuilder extends BaseVisitor implements Cst.ICstNodeVisitor<CstNodeLocation | undefined, unknown> {
  constructor(
    private readonly lines: LineIndex,
    private readonly docs: DocComments,
  ) {
    super();
    this.validateVisitor();
  }

  // ------------------------------------------------------------------------------------------
  // Helpers

  private one<N extends CstNode, T>(nodes: N[] | undefined, build: Builder<N['children'], T>): T | undefined {
    const node = nodes?.[0];
    return node === undefined ? undefined : build.call(this, node.children, node.location);
  }

  private all<N extends CstNode, T>(nodes: N[] | undefined, build: Builder<N['children'], T>): T[] {
    return (nodes ?? []).map((node) => build.call(this, node.children, node.location)).filter(defined);
  }

  private span(location: CstNodeLocation | undefined): Span | undefined {
    if (location === undefined || !Number.isFinite(location.startOffset) || !Number.isFinite(location.endOffset))
      return undefined;
    return this.lines.span(location.startOffset, location.endOffset! + 1);
  }

  private identifier(token: IToken | undefined): Ast.Identifier | undefined {
    const span = isRealToken(token) ? this.lines.tokenSpan(token) : undefined;
    return span && token ? { kind: 'Identifier', name: token.image, span } : undefined;
  }

  private doc(location: CstNodeLocation | undefined): { doc?: string } {
    const doc = this.docs.take(location?.startOffset);
    return doc === undefined ? {} : { doc };
  }

  // ------------------------------------------------------------------------------------------
  // Files and declarations

  /** Several program nodes when the parser had to restart after junk at the top level. */
  build(programs: readonly CstNode[], span: Span, comments: readonly Ast.Comment[]): Ast.Program {
    const parts = programs.map((node) => this.program(node.children as Cst.ProgramCstChildren));
    return {
      kind: 'Program',
      imports: parts.flatMap((part) => part.imports),
      declarations: parts.flatMap((part) => part.declarations),
      comments,
      span,
    };
  }

  program(children: Cst.ProgramCstChildren): { imports: Ast.ImportDecl[]; declarations: Ast.Declaration[] } {
    return {
      imports: this.all(children.importDeclaration, this.importDeclaration),
      declarations: this.all(children.declaration, this.declaration),
    };
  }

  importDeclaration(
    children: Cst.ImportDeclarationCstChildren,
    location?: CstNodeLocation,
  ): Ast.ImportDecl | undefined {
    const path = children.path?.[0];
    const span = this.span(location);
    const fromSpan = path && this.lines.tokenSpan(path);
    if (!span || !path || !fromSpan) return undefined;
    const names = this.all(children.importName, this.importName);
    return { kind: 'ImportDecl', names, from: decodeString(path.image).value, fromSpan, span };
  }

  importName(children: Cst.ImportNameCstChildren, location?: CstNodeLocation): Ast.ImportName | undefined {
    const name = this.identifier(children.name?.[0]);
    const alias = this.identifier(children.alias?.[0]);
    const span = this.span(location);
    if (!name || !span) return undefined;
    return { kind: 'ImportName', name, ...(alias ? { alias } : {}), span };
  }

  declaration(children: Cst.DeclarationCstChildren, location?: CstNodeLocation): Ast.Declaration | undefined {
    const name = this.identifier(children.name?.[0]);
    const span = this.span(location);
    const kind = isRealToken(children.Block?.[0])
      ? 'BlockDecl'
      : isRealToken(children.Model?.[0])
        ? 'ModelDecl'
        : undefined;
    if (!name || !span || !kind) return undefined;
    return {
      kind,
      name,
      params: this.all(children.parameter, this.parameter),
      body: this.all(children.statement, this.statement),
      annotations: this.all(children.annotation, this.annotation),
      ...this.doc(location),
      span,
    };
  }

  parameter(children: Cst.ParameterCstChildren, location?: CstNodeLocation): Ast.Param | undefined {
    const name = this.identifier(children.name?.[0]);
    const span = this.span(location);
    if (!name || !span) return undefined;
    const type = this.one(children.typeReference, this.typeReference);
    const value = this.one(children.default, this.expression);
    return { kind: 'Param', name, ...(type ? { type } : {}), ...(value ? { default: value } : {}), span };
  }

  typeReference(children: Cst.TypeReferenceCstChildren, location?: CstNodeLocation): Ast.TypeRef | undefined {
    const name = this.identifier(children.name?.[0]);
    const span = this.span(location);
    if (!name || !span) return undefined;
    return { kind: 'TypeRef', name: name.name, list: isRealToken(children.LBracket?.[0]), span };
  }

  // ------------------------------------------------------------------------------------------
  // Statements

  statement(children: Cst.StatementCstChildren): Ast.Statement | undefined {
    return (
      this.one(children.letStatement, this.letStatement) ??
      this.one(children.inputStatement, this.inputStatement) ??
      this.one(children.outputStatement, this.outputStatement) ??
      this.one(children.returnStatement, this.returnStatement)
    );
  }

  letStatement(children: Cst.LetStatementCstChildren, location?: CstNodeLocation): Ast.LetStmt | undefined {
    const names = (children.name ?? []).map((token) => this.identifier(token)).filter(defined);
    const value = this.one(children.value, this.expression);
    const span = this.span(location);
    if (names.length === 0 || !value || !span) return undefined;
    const destructure = isRealToken(children.LParen?.[0]);
    return { kind: 'LetStmt', names, destructure, value, ...this.doc(location), span };
  }

  inputStatement(children: Cst.InputStatementCstChildren, location?: CstNodeLocation): Ast.InputStmt | undefined {
    const name = this.identifier(children.name?.[0]);
    const type = this.one(children.tensorType, this.tensorType);
    const span = this.span(location);
    if (!name || !type || !span) return undefined;
    const constraints = this.all(children.constraint, this.expression);
    const annotations = this.all(children.annotation, this.annotation);
    return { kind: 'InputStmt', name, type, annotations, constraints, ...this.doc(location), span };
  }

  tensorType(children: Cst.TensorTypeCstChildren, location?: CstNodeLocation): Ast.TensorTypeRef | undefined {
    const dtype = this.identifier(children.dtype?.[0]);
    const span = this.span(location);
    if (!dtype || !span) return undefined;
    return { kind: 'TensorTypeRef', dtype, dims: this.all(children.dimension, this.expression), span };
  }

  outputStatement(children: Cst.OutputStatementCstChildren, location?: CstNodeLocation): Ast.OutputStmt | undefined {
    const name = this.identifier(children.name?.[0]);
    const value = this.one(children.value, this.expression);
    const span = this.span(location);
    if (!name || !value || !span) return undefined;
    return { kind: 'OutputStmt', name, value, ...this.doc(location), span };
  }

  returnStatement(children: Cst.ReturnStatementCstChildren, location?: CstNodeLocation): Ast.ReturnStmt | undefined {
    const value = this.one(children.value, this.expression);
    const span = this.span(location);
    if (!value || !span) return undefined;
    return { kind: 'ReturnStmt', value, ...this.doc(location), span };
  }

  // ------------------------------------------------------------------------------------------
  // Pipelines

  expression(children: Cst.ExpressionCstChildren, location?: CstNodeLocation): Ast.Expression | undefined {
    const head = this.one(children.head, this.ternary);
    const stages = this.all(children.stage, this.stage);
    const span = this.span(location);
    if (!head || !span) return undefined;
    return stages.length === 0 ? head : { kind: 'PipelineExpr', head, stages, span };
  }

  stage(children: Cst.StageCstChildren): Ast.Stage | undefined {
    return this.one(children.callStage, this.callStage) ?? this.one(children.repeatStage, this.repeatStage);
  }

  callStage(children: Cst.CallStageCstChildren, location?: CstNodeLocation): Ast.CallStage | undefined {
    const callee = this.identifier(children.callee?.[0]);
    const span = this.span(location);
    if (!callee || !span) return undefined;
    const called = isRealToken(children.LParen?.[0]);
    const args = called ? (this.one(children.argumentList, this.argumentList) ?? []) : undefined;
    const annotations = this.all(children.annotation, this.annotation);
    return { kind: 'CallStage', callee, ...(args ? { args } : {}), annotations, span };
  }

  repeatStage(children: Cst.RepeatStageCstChildren, location?: CstNodeLocation): Ast.RepeatStage | undefined {
    const count = this.one(children.count, this.ternary);
    const stages = this.all(children.stage, this.stage);
    const span = this.span(location);
    if (!count || stages.length === 0 || !span) return undefined;
    const variable = this.identifier(children.variable?.[0]);
    const annotations = this.all(children.annotation, this.annotation);
    return { kind: 'RepeatStage', count, ...(variable ? { variable } : {}), stages, annotations, span };
  }

  // ------------------------------------------------------------------------------------------
  // Operators

  ternary(children: Cst.TernaryCstChildren, location?: CstNodeLocation): Ast.Expression | undefined {
    const condition = this.one(children.condition, this.logicalOr);
    if (!isRealToken(children.Question?.[0])) return condition;
    const then = this.one(children.then, this.expression);
    const otherwise = this.one(children.otherwise, this.expression);
    const span = this.span(location);
    if (!condition || !then || !otherwise || !span) return undefined;
    return { kind: 'ConditionalExpr', condition, then, otherwise, span };
  }

  /** Folds `a op b op c` to the left: `(a op b) op c`. */
  private binary(
    operands: (Ast.Expression | undefined)[],
    operators: IToken[] | undefined,
  ): Ast.Expression | undefined {
    let result = operands[0];
    for (let index = 1; index < operands.length && result; index++) {
      const right = operands[index];
      const operator = operators?.[index - 1];
      if (!right || !isRealToken(operator)) return undefined;
      const span = joinSpans(result.span, right.span);
      result = { kind: 'BinaryExpr', operator: operator.image as Ast.BinaryOperator, left: result, right, span };
    }
    return result;
  }

  logicalOr(children: Cst.LogicalOrCstChildren): Ast.Expression | undefined {
    return this.binary(
      (children.operand ?? []).map((node) => this.logicalAnd(node.children)),
      children.operator,
    );
  }

  logicalAnd(children: Cst.LogicalAndCstChildren): Ast.Expression | undefined {
    return this.binary(
      (children.operand ?? []).map((node) => this.equality(node.children)),
      children.operator,
    );
  }

  equality(children: Cst.EqualityCstChildren): Ast.Expression | undefined {
    return this.binary(
      (children.operand ?? []).map((node) => this.relational(node.children)),
      children.operator,
    );
  }

  relational(children: Cst.RelationalCstChildren): Ast.Expression | undefined {
    return this.binary(
      (children.operand ?? []).map((node) => this.additive(node.children)),
      children.operator,
    );
  }

  additive(children: Cst.AdditiveCstChildren): Ast.Expression | undefined {
    return this.binary(
      (children.operand ?? []).map((node) => this.multiplicative(node.children)),
      children.operator,
    );
  }

  multiplicative(children: Cst.MultiplicativeCstChildren): Ast.Expression | undefined {
    return this.binary(
      (children.operand ?? []).map((node) => this.unary(node.children, node.location)),
      children.operator,
    );
  }

  unary(children: Cst.UnaryCstChildren, location?: CstNodeLocation): Ast.Expression | undefined {
    const operator = children.operator?.[0];
    if (!isRealToken(operator)) return this.one(children.postfix, this.postfix);
    const operand = this.one(children.operand, this.unary);
    const span = this.span(location);
    if (!operand || !span) return undefined;
    return { kind: 'UnaryExpr', operator: operator.image as '-' | '!', operand, span };
  }

  // ------------------------------------------------------------------------------------------
  // Postfix and primary expressions

  postfix(children: Cst.PostfixCstChildren): Ast.Expression | undefined {
    let result = this.one(children.primary, this.primary);
    let annotated: Ast.AnnotatedExpr | undefined;
    for (const suffix of children.suffix ?? []) {
      if (!result) return undefined;
      const annotation = this.one(suffix.children.annotation, this.annotation);
      const index = this.one(suffix.children.indexSuffix, this.indexSuffix);
      const span = this.span(suffix.location);
      if (!span || (!annotation && !index)) return undefined;
      if (annotation) {
        // consecutive annotations belong to one AnnotatedExpr
        const base: Ast.Expression = annotated === result ? annotated.expression : result;
        const annotations = annotated === result ? [...annotated.annotations, annotation] : [annotation];
        annotated = { kind: 'AnnotatedExpr', expression: base, annotations, span: joinSpans(base.span, span) };
        result = annotated;
      } else {
        result = { kind: 'IndexExpr', target: result, index: index!, span: joinSpans(result.span, span) };
      }
    }
    return result;
  }

  suffix(children: Cst.SuffixCstChildren): Ast.Expression | Ast.Annotation | undefined {
    return this.one(children.indexSuffix, this.indexSuffix) ?? this.one(children.annotation, this.annotation);
  }

  indexSuffix(children: Cst.IndexSuffixCstChildren): Ast.Expression | undefined {
    return this.one(children.index, this.expression);
  }

  primary(children: Cst.PrimaryCstChildren, location?: CstNodeLocation): Ast.Expression | undefined {
    const span = this.span(location);
    const number = children.NumberLiteral?.[0];
    const string = children.StringLiteral?.[0];
    if (span && isRealToken(number)) {
      return {
        kind: 'NumberLiteral',
        value: numberValue(number.image),
        isFloat: isFloatLiteral(number.image),
        raw: number.image,
        span,
      };
    }
    if (span && isRealToken(string)) return { kind: 'StringLiteral', value: decodeString(string.image).value, span };
    if (span && isRealToken(children.True?.[0])) return { kind: 'BoolLiteral', value: true, span };
    if (span && isRealToken(children.False?.[0])) return { kind: 'BoolLiteral', value: false, span };
    return (
      this.one(children.callOrName, this.callOrName) ??
      this.one(children.list, this.list) ??
      this.one(children.parenthesized, this.parenthesized)
    );
  }

  callOrName(children: Cst.CallOrNameCstChildren, location?: CstNodeLocation): Ast.Expression | undefined {
    const name = this.identifier(children.name?.[0]);
    if (!name || !isRealToken(children.LParen?.[0])) return name;
    const span = this.span(location);
    if (!span) return undefined;
    return { kind: 'CallExpr', callee: name, args: this.one(children.argumentList, this.argumentList) ?? [], span };
  }

  list(children: Cst.ListCstChildren, location?: CstNodeLocation): Ast.ListExpr | undefined {
    const span = this.span(location);
    return span ? { kind: 'ListExpr', items: this.all(children.listItem, this.listItem), span } : undefined;
  }

  listItem(children: Cst.ListItemCstChildren): Ast.ListItem | undefined {
    return this.one(children.comprehension, this.comprehension) ?? this.one(children.expression, this.expression);
  }

  comprehension(children: Cst.ComprehensionCstChildren, location?: CstNodeLocation): Ast.Comprehension | undefined {
    const variable = this.identifier(children.variable?.[0]);
    const iterable = this.one(children.iterable, this.ternary);
    const body = this.one(children.body, this.expression);
    const span = this.span(location);
    if (!variable || !iterable || !body || !span) return undefined;
    const condition = this.one(children.condition, this.ternary);
    return { kind: 'Comprehension', variable, iterable, ...(condition ? { condition } : {}), body, span };
  }

  parenthesized(children: Cst.ParenthesizedCstChildren, location?: CstNodeLocation): Ast.Expression | undefined {
    const elements = this.all(children.element, this.expression);
    const span = this.span(location);
    if (!span || elements.length === 0) return undefined;
    if (children.Comma === undefined) return { kind: 'ParenExpr', expression: elements[0]!, span };
    return elements.length >= 2 ? { kind: 'TupleExpr', elements, span } : undefined;
  }

  argumentList(children: Cst.ArgumentListCstChildren): Ast.Argument[] {
    return this.all(children.argument, this.argument);
  }

  argument(children: Cst.ArgumentCstChildren, location?: CstNodeLocation): Ast.Argument | undefined {
    const value = this.one(children.value, this.expression);
    const span = this.span(location);
    if (!value || !span) return undefined;
    const name = this.identifier(children.name?.[0]);
    return { kind: 'Argument', ...(name ? { name } : {}), value, span };
  }

  annotation(children: Cst.AnnotationCstChildren, location?: CstNodeLocation): Ast.Annotation | undefined {
    const name = this.identifier(children.name?.[0]);
    const span = this.span(location);
    if (!name || !span) return undefined;
    return { kind: 'Annotation', name, args: this.one(children.argumentList, this.argumentList) ?? [], span };
  }
}
