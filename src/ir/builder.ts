/**
 * Builds the IR graph while a model is elaborated: creates nodes in topological order, gives
 * them unique hierarchical names, runs each op's shape rule and reports its failures at the
 * source line of the call, with the chain of block call sites.
 */
import type { Preprocessing } from './preprocessing.js';
import type { DiagnosticBag, RelatedLocation, Span } from '../diagnostics/diagnostic.js';
import { type Attrs, type OpDef, ShapeError, type TensorType } from '../ops/op.js';
import { MAX_SIZE } from '../limits.js';
import type { Annotation, CallSite, Graph, GraphInput, GraphOutput, IRNode, IRWeight } from './graph.js';
import { CheckingShapeContext, type DeferredTooSmall } from '../shapes/shape-context.js';
import type { SizeSpace } from '../shapes/sizes.js';
import { substitute } from '../shapes/symbolic.js';
import { codes } from '../diagnostics/codes.js';

interface MutableNode extends Omit<IRNode, 'annotations'> {
  annotations: Annotation[];
}

export interface NodeOrigin {
  readonly span: Span;
  readonly callChain: readonly CallSite[];
  /** Spans of the call's arguments by parameter name, to point a shape error at the argument. */
  readonly argumentSpans?: ReadonlyMap<string, Span>;
}

export class GraphBuilder {
  readonly nodes: MutableNode[] = [];
  readonly inputs: GraphInput[] = [];
  readonly outputs: GraphOutput[] = [];
  private readonly names = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();
  private readonly shapes: CheckingShapeContext;
  /** Windows too large for the smallest inputs, reported by `reportTooSmall`. */
  private readonly tooSmall: (DeferredTooSmall & { op: OpDef; origin: NodeOrigin })[] = [];
  private shapeErrors = 0;

  constructor(
    readonly sizes: SizeSpace,
    private readonly diagnostics: DiagnosticBag,
  ) {
    this.shapes = new CheckingShapeContext(sizes);
  }

  /** A name not used yet: `path/segment`, else `path/segment_1`, `path/segment_2`, ... */
  uniqueName(prefix: readonly string[], segment: string): string {
    const base = [...prefix, segment].filter((s) => s.length > 0).join('/');
    // Names are never freed, so the smallest free suffix only grows: resuming from the last
    // one keeps thousands of same-named layers linear instead of quadratic.
    let suffix = this.nextSuffix.get(base) ?? 0;
    let name = suffix === 0 ? base : `${base}_${suffix}`;
    while (this.names.has(name)) name = `${base}_${++suffix}`;
    this.nextSuffix.set(base, suffix + 1);
    this.names.add(name);
    return name;
  }

  type(node: number): TensorType {
    return this.nodes[node]!.type;
  }

  addInput(name: string, type: TensorType, origin: NodeOrigin, preprocessing?: Preprocessing): number {
    const id = this.push({
      op: 'input',
      inputs: [],
      attrs: {},
      name: this.uniqueName([], name),
      type,
      weights: [],
      ...origin,
      binding: name,
    });
    this.inputs.push({ name, node: id, ...(preprocessing ? { preprocessing } : {}) });
    return id;
  }

  addOutput(name: string, node: number, span: Span): void {
    this.outputs.push({ name, node, span });
  }

  /** Runs the op's shape rule; on failure reports it and returns undefined. */
  addOp(
    op: OpDef,
    inputs: readonly number[],
    attrs: Attrs,
    prefix: readonly string[],
    segment: string,
    origin: NodeOrigin,
  ): number | undefined {
    const inputTypes = inputs.map((i) => this.type(i));
    const undecidedBefore = this.shapes.undecided.length;
    let type: TensorType;
    try {
      type = op.shape(inputTypes, attrs, this.shapes);
      refuseHugeSizes(op, type);
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      this.reportShapeError(op, error, origin);
      return undefined;
    }
    // With sizes fixed from outside (`--input 224,224`) the last axis becomes a number, so a
    // dense layer after flatten knows its channel count; the other axes stay symbolic, so
    // messages still say which symbol a size comes from.
    if (this.sizes.fixed.size > 0 && type.shape.length > 0) {
      const last = type.shape.length - 1;
      type = { ...type, shape: type.shape.map((d, axis) => (axis === last ? substitute(d, this.sizes.fixed) : d)) };
    }
    for (const deferred of this.shapes.deferred.splice(0)) this.tooSmall.push({ ...deferred, op, origin });
    for (const text of this.shapes.undecided.slice(undecidedBefore)) {
      const message = `${op.name}: cannot prove for every input size that ${text}; it holds for every size tried`;
      this.diagnostics.warning(
        codes.undecidedSizes,
        origin.span,
        message,
        'a `where` constraint relating the symbols (for example `H == W`) would settle it',
        callChainNotes(origin.callChain),
      );
    }
    const name = this.uniqueName(prefix, segment);
    const weights: IRWeight[] = (op.weights?.(inputTypes, attrs) ?? []).map((w) => ({
      ...w,
      name: `${name}/${w.role}`,
    }));
    return this.push({
      op: op.name,
      inputs,
      attrs,
      name,
      type,
      weights,
      span: origin.span,
      callChain: origin.callChain,
    });
  }

  annotate(node: number, annotation: Annotation): void {
    const target = this.nodes[node]!;
    if (!target.annotations.some((a) => a.name === annotation.name)) target.annotations.push(annotation);
  }

  bind(node: number, binding: string): void {
    const target = this.nodes[node]!;
    if (target.binding === undefined) this.nodes[node] = { ...target, binding };
  }

  /** Equalities the checker could neither prove nor refute. */
  get undecided(): readonly string[] {
    return this.shapes.undecided;
  }

  finish(model: string, doc: string | undefined, params: Graph['params']): Graph {
    const symbols = this.sizes.symbols.map((name) => ({
      name,
      constraints: this.sizes.constraints.filter((c) => c.symbols.includes(name)).map((c) => c.text),
    }));
    return {
      model,
      ...(doc ? { doc } : {}),
      params,
      nodes: this.nodes.map((n) => ({ ...n, annotations: [...n.annotations] })),
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      symbols,
      constraints: this.sizes.constraints.map((c) => ({ text: c.text, symbols: [...c.symbols] })),
    };
  }

  private push(node: Omit<MutableNode, 'id' | 'annotations'> & { argumentSpans?: unknown }): number {
    const id = this.nodes.length;
    const { argumentSpans: _unused, ...rest } = node;
    void _unused;
    this.nodes.push({ ...rest, id, annotations: [] });
    return id;
  }

  /**
   * Reports the first window found too large for the smallest allowed inputs, unless another
   * shape check failed (its fix usually settles the sizes); the hint names the smallest sizes
   * for which every window fits.
   */
  reportTooSmall(): void {
    const first = this.tooSmall[0];
    if (!first || this.shapeErrors > 0) return;
    const symbols = [...new Set(this.tooSmall.flatMap((t) => t.symbols))]
      .filter((s) => !this.sizes.fixed.has(s))
      .sort();
    const least = symbols.map((s) => [s, this.shapes.sizes.valuesOf(s)[0]] as const).filter(([, v]) => v !== undefined);
    const hint =
      least.length > 0
        ? `every window fits when ${least.map(([s, v]) => `\`${s} >= ${v}\``).join(', ')}: add ${least.length === 1 ? 'it' : 'them'} to the input's \`where\` clause`
        : first.error.hint;
    this.reportShapeError(first.op, new ShapeError(first.error.message, first.error.argument, hint), first.origin);
  }

  private reportShapeError(op: OpDef, error: ShapeError, origin: NodeOrigin): void {
    this.shapeErrors++;
    const span = (error.argument && origin.argumentSpans?.get(error.argument)) || origin.span;
    const message = new RegExp(`\\b${op.name}\\b`).test(error.message) ? error.message : `${op.name}: ${error.message}`;
    this.diagnostics.error(codes.shapeRuleFailed, span, message, error.hint, callChainNotes(origin.callChain));
  }
}

/** "in block ASPP called at deeplab.seg:12:13", innermost call first. */
export function callChainNotes(chain: readonly CallSite[]): RelatedLocation[] {
  return [...chain].reverse().map((site) => ({ span: site.span, message: `in block \`${site.block}\` called here` }));
}

/**
 * A fixed size past MAX_SIZE (an `upsample(factor: 1048576)` of a fixed 1024-row input) would
 * make every later step allocate without bound; it is refused like any other shape error.
 */
function refuseHugeSizes(op: OpDef, type: TensorType): void {
  const huge = type.shape.find((d) => d.kind === 'const' && d.value > MAX_SIZE);
  if (huge?.kind === 'const') {
    throw new ShapeError(
      `${op.name}: the output would have a size of ${huge.value}, more than the limit of ${MAX_SIZE}`,
      undefined,
      'see docs/limits.md',
    );
  }
}
