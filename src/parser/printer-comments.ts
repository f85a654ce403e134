/**
 * Where the formatter puts each `//` and `/* *\/` comment. Comments are attached to anchors,
 * the nodes the formatter prints at the start of a line: imports, declarations, statements and
 * list items. A comment is, in order of preference:
 * - trailing: after the anchor that ends just before it on the same line;
 * - leading: before the anchor that starts right after it;
 * - dangling: at the end of the list, body or file it sits in, after the last item;
 * - otherwise moved before the innermost anchor around it (a comment inside `f(a, /* x *\/ b)`).
 * Every comment gets exactly one place, so the formatter can never drop one.
 */
import type { Comment, Declaration, ListExpr, Node, Program } from './ast.js';

export interface CommentPlan {
  readonly leading: Map<Node, Comment[]>;
  readonly trailing: Map<Node, Comment[]>;
  /** Comments after the last item of a Program, a declaration body or a list. */
  readonly dangling: Map<Node, Comment[]>;
}

interface Anchor {
  readonly node: Node;
  /** The Program, declaration or list the anchor is an item of. */
  readonly container: Node;
}

interface Collected {
  readonly nodes: Node[];
  readonly anchors: Anchor[];
  readonly containers: Node[];
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'kind' in value && 'span' in value;
}

function childNodes(node: Node): Node[] {
  const children: Node[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'span' || key === 'comments') continue;
    if (Array.isArray(value)) children.push(...value.filter(isNode));
    else if (isNode(value)) children.push(value);
  }
  return children;
}

function anchoredChildren(node: Node): readonly Node[] {
  if (node.kind === 'Program') return [...(node as Program).imports, ...(node as Program).declarations];
  if (node.kind === 'BlockDecl' || node.kind === 'ModelDecl') return (node as Declaration).body;
  if (node.kind === 'ListExpr') return (node as ListExpr).items;
  return [];
}

function isContainer(node: Node): boolean {
  return node.kind === 'ListExpr' || node.kind === 'BlockDecl' || node.kind === 'ModelDecl';
}

function collect(program: Program): Collected {
  const collected: Collected = { nodes: [], anchors: [], containers: [] };
  const visit = (node: Node): void => {
    collected.nodes.push(node);
    const anchored = anchoredChildren(node);
    if (isContainer(node)) collected.containers.push(node);
    for (const child of anchored) collected.anchors.push({ node: child, container: node });
    for (const child of childNodes(node)) visit(child);
  };
  visit(program);
  return collected;
}

const start = (node: Node): number => node.span.start.offset;
const end = (node: Node): number => node.span.end.offset;

function add(map: Map<Node, Comment[]>, node: Node, comment: Comment): void {
  const list = map.get(node);
  if (list) list.push(comment);
  else map.set(node, [comment]);
}

class Placer {
  private readonly byEnd: Node[];
  private readonly byStart: Node[];

  constructor(
    private readonly collected: Collected,
    private readonly program: Program,
  ) {
    this.byEnd = collected.nodes.filter((node) => node !== program).sort((a, b) => end(a) - end(b));
    this.byStart = collected.nodes.filter((node) => node !== program).sort((a, b) => start(a) - start(b));
  }

  /** The node that ends last at or before `offset`. */
  private previousNode(offset: number): Node | undefined {
    let found: Node | undefined;
    for (const node of this.byEnd) {
      if (end(node) > offset) break;
      found = node;
    }
    return found;
  }

  /** The node that starts first at or after `offset`. */
  private nextNode(offset: number): Node | undefined {
    return this.byStart.find((node) => start(node) >= offset);
  }

  private outermostAnchor(matches: (anchor: Anchor) => boolean): Anchor | undefined {
    return this.collected.anchors
      .filter(matches)
      .sort((a, b) => start(a.node) - start(b.node) || end(b.node) - end(a.node))[0];
  }

  place(comment: Comment, plan: CommentPlan): void {
    const previous = this.previousNode(start(comment));
    const next = this.nextNode(end(comment));
    const line = comment.span.start.line;
    const oneLine = comment.span.end.line === line;
    const nextOnSameLine = next !== undefined && next.span.start.line === comment.span.end.line;
    const trailingAllowed = oneLine && (comment.text.startsWith('//') || !nextOnSameLine);
    if (previous && trailingAllowed && previous.span.end.line === line) {
      const owner = this.outermostAnchor((anchor) => end(anchor.node) === end(previous));
      if (owner) return add(plan.trailing, owner.node, comment);
    }
    // a following anchor outside the enclosing list or body would pull the comment out of it
    const container = this.innermost(this.collected.containers, comment) ?? this.program;
    const within = (node: Node) =>
      container === this.program || (start(node) >= start(container) && end(node) <= end(container));
    const following =
      next && this.outermostAnchor((anchor) => start(anchor.node) === start(next) && within(anchor.node));
    if (following) return add(plan.leading, following.node, comment);
    this.placeInside(comment, plan);
  }

  private innermost(nodes: readonly Node[], comment: Comment): Node | undefined {
    const encloses = (node: Node) => start(node) <= start(comment) && end(node) >= end(comment);
    return nodes.filter(encloses).sort((a, b) => start(b) - start(a) || end(a) - end(b))[0];
  }

  private placeInside(comment: Comment, plan: CommentPlan): void {
    const container = this.innermost(this.collected.containers, comment);
    const anchor = this.innermost(
      this.collected.anchors.map((item) => item.node),
      comment,
    );
    const containerIsInnermost = container !== undefined && (anchor === undefined || start(container) >= start(anchor));
    if (containerIsInnermost && !anchoredChildren(container).some((item) => start(item) >= end(comment))) {
      return add(plan.dangling, container, comment);
    }
    add(anchor ? plan.leading : plan.dangling, anchor ?? this.program, comment);
  }
}

/** Decides the place of every comment of `program`. */
export function planComments(program: Program): CommentPlan {
  const plan: CommentPlan = { leading: new Map(), trailing: new Map(), dangling: new Map() };
  if (program.comments.length === 0) return plan;
  const placer = new Placer(collect(program), program);
  for (const comment of program.comments) placer.place(comment, plan);
  return plan;
}
