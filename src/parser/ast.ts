/**
 * The abstract syntax tree of a `.seg` file. Built only by the CST→AST visitor (visitor.ts);
 * every node keeps its source span so later stages and the editor tooling can point at it.
 * The printer (printer.ts) turns an AST back into canonical source; `parse(print(ast))` equals
 * `ast` up to spans.
 */
import type { Span } from '../diagnostics/diagnostic.js';

export interface Node {
  readonly kind: string;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Files and declarations

export interface Program extends Node {
  readonly kind: 'Program';
  readonly imports: readonly ImportDecl[];
  readonly declarations: readonly Declaration[];
  /** Every `//` and `/* *\/` comment, in source order, so the formatter can keep them. */
  readonly comments: readonly Comment[];
}

export interface Comment extends Node {
  readonly kind: 'Comment';
  /** The comment's full text, including `//` or `/*`. */
  readonly text: string;
}

export interface ImportDecl extends Node {
  readonly kind: 'ImportDecl';
  readonly names: readonly ImportName[];
  /** The path as written, without quotes: `./aspp.seg` or `std/backbones.seg`. */
  readonly from: string;
  readonly fromSpan: Span;
}

export interface ImportName extends Node {
  readonly kind: 'ImportName';
  readonly name: Identifier;
  /** `as` alias, if any. */
  readonly alias?: Identifier;
}

export type Declaration = BlockDecl | ModelDecl;

interface DeclarationBase extends Node {
  readonly name: Identifier;
  readonly params: readonly Param[];
  readonly body: readonly Statement[];
  /** Text of the `///` doc comment lines above the declaration, joined by '\n', without `///`. */
  readonly doc?: string;
  readonly annotations: readonly Annotation[];
}

/** `block Name(params) { statements; return expr }`: a reusable, parameterised sub-network. */
export interface BlockDecl extends DeclarationBase {
  readonly kind: 'BlockDecl';
}

/** `model Name(params) { input ...; output ... }`: a compilable network. */
export interface ModelDecl extends DeclarationBase {
  readonly kind: 'ModelDecl';
}

/** A parameter: `x` (a tensor), `out: int = 256`, `rates: int[] = [6, 12, 18]`. */
export interface Param extends Node {
  readonly kind: 'Param';
  readonly name: Identifier;
  readonly type?: TypeRef;
  readonly default?: Expression;
}

/** `int`, `float`, `bool`, `string`, `tensor`, with `[]` for lists. */
export interface TypeRef extends Node {
  readonly kind: 'TypeRef';
  readonly name: string;
  readonly list: boolean;
}

// ---------------------------------------------------------------------------------------------
// Statements

export type Statement = LetStmt | InputStmt | OutputStmt | ReturnStmt;

interface StatementBase extends Node {
  readonly doc?: string;
}

/** `let name = expr` or `let (a, b) = expr` (a block that returns several tensors). */
export interface LetStmt extends StatementBase {
  readonly kind: 'LetStmt';
  readonly names: readonly Identifier[];
  /** True for the parenthesised form, even with one name. */
  readonly destructure: boolean;
  readonly value: Expression;
}

/**
 * `input image: f32[N, H, W, 3] @preprocess(order: "bgr") where H % 16 == 0, W % 16 == 0`; the
 * annotations after the type say how an image becomes the tensor.
 */
export interface InputStmt extends StatementBase {
  readonly kind: 'InputStmt';
  readonly name: Identifier;
  readonly type: TensorTypeRef;
  readonly annotations: readonly Annotation[];
  readonly constraints: readonly Expression[];
}

/** `f32[N, H, W, 3]`: dims are expressions; an unbound identifier there declares a size symbol. */
export interface TensorTypeRef extends Node {
  readonly kind: 'TensorTypeRef';
  readonly dtype: Identifier;
  readonly dims: readonly Expression[];
}

/** `output logits = expr` */
export interface OutputStmt extends StatementBase {
  readonly kind: 'OutputStmt';
  readonly name: Identifier;
  readonly value: Expression;
}

/** `return expr`; several results as a tuple: `return (low, high)`. */
export interface ReturnStmt extends StatementBase {
  readonly kind: 'ReturnStmt';
  readonly value: Expression;
}

// ---------------------------------------------------------------------------------------------
// Expressions

export type Expression =
  | NumberLiteral
  | StringLiteral
  | BoolLiteral
  | Identifier
  | ListExpr
  | TupleExpr
  | CallExpr
  | PipelineExpr
  | BinaryExpr
  | UnaryExpr
  | ConditionalExpr
  | IndexExpr
  | AnnotatedExpr
  | ParenExpr;

export interface NumberLiteral extends Node {
  readonly kind: 'NumberLiteral';
  readonly value: number;
  /** True when written with a `.` or exponent (`0.1`, `1e-3`, `2.0`): a float, not an int. */
  readonly isFloat: boolean;
  /** The literal as written, so the printer can keep `1e-3`. */
  readonly raw: string;
}

export interface StringLiteral extends Node {
  readonly kind: 'StringLiteral';
  /** The decoded value (escapes resolved). */
  readonly value: string;
}

export interface BoolLiteral extends Node {
  readonly kind: 'BoolLiteral';
  readonly value: boolean;
}

export interface Identifier extends Node {
  readonly kind: 'Identifier';
  readonly name: string;
}

/** `[a, b, for r in rates if r > 0: x -> conv(r)]`: items and comprehensions, in order. */
export interface ListExpr extends Node {
  readonly kind: 'ListExpr';
  readonly items: readonly ListItem[];
}

export type ListItem = Expression | Comprehension;

/** `for r in rates: expr` or `for r in rates if cond: expr`, inside a list. */
export interface Comprehension extends Node {
  readonly kind: 'Comprehension';
  readonly variable: Identifier;
  readonly iterable: Expression;
  readonly condition?: Expression;
  readonly body: Expression;
}

/** `(a, b)`: several values, as returned by a block. At least two elements. */
export interface TupleExpr extends Node {
  readonly kind: 'TupleExpr';
  readonly elements: readonly Expression[];
}

/** `f(a, b, name: c)`. The callee is always a plain name (op, block or builtin). */
export interface CallExpr extends Node {
  readonly kind: 'CallExpr';
  readonly callee: Identifier;
  readonly args: readonly Argument[];
}

export interface Argument extends Node {
  readonly kind: 'Argument';
  /** Present for named arguments (`dilation: r`). */
  readonly name?: Identifier;
  readonly value: Expression;
}

/**
 * `head -> stage -> stage`. Each stage receives the previous value as its first positional
 * argument: `x -> conv(64, 3)` means `conv(x, 64, 3)`.
 */
export interface PipelineExpr extends Node {
  readonly kind: 'PipelineExpr';
  readonly head: Expression;
  readonly stages: readonly Stage[];
}

export type Stage = CallStage | RepeatStage;

/** `conv(64, 3)`, `relu` (no parentheses means no further arguments), with annotations. */
export interface CallStage extends Node {
  readonly kind: 'CallStage';
  readonly callee: Identifier;
  /** Undefined when written without parentheses (`-> relu`). */
  readonly args?: readonly Argument[];
  readonly annotations: readonly Annotation[];
}

/**
 * `repeat 3 as i { conv(64, 3) -> bn -> relu }`: the stages inside run `count` times in
 * sequence, with `i` bound to 0, 1, 2, ...
 */
export interface RepeatStage extends Node {
  readonly kind: 'RepeatStage';
  readonly count: Expression;
  readonly variable?: Identifier;
  readonly stages: readonly Stage[];
  readonly annotations: readonly Annotation[];
}

export type BinaryOperator = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

export interface BinaryExpr extends Node {
  readonly kind: 'BinaryExpr';
  readonly operator: BinaryOperator;
  readonly left: Expression;
  readonly right: Expression;
}

export interface UnaryExpr extends Node {
  readonly kind: 'UnaryExpr';
  readonly operator: '-' | '!';
  readonly operand: Expression;
}

/** `cond ? a : b` */
export interface ConditionalExpr extends Node {
  readonly kind: 'ConditionalExpr';
  readonly condition: Expression;
  readonly then: Expression;
  readonly otherwise: Expression;
}

/** `xs[i]` */
export interface IndexExpr extends Node {
  readonly kind: 'IndexExpr';
  readonly target: Expression;
  readonly index: Expression;
}

/** `expr @classmap` on a non-stage expression. */
export interface AnnotatedExpr extends Node {
  readonly kind: 'AnnotatedExpr';
  readonly expression: Expression;
  readonly annotations: readonly Annotation[];
}

/** `(expr)`: kept so the printer reproduces the user's grouping. */
export interface ParenExpr extends Node {
  readonly kind: 'ParenExpr';
  readonly expression: Expression;
}

/** `@classmap`, `@gradcam`, `@frozen`, `@name("head")`. */
export interface Annotation extends Node {
  readonly kind: 'Annotation';
  readonly name: Identifier;
  readonly args: readonly Argument[];
}
