/**
 * Blocks recovered from an imported model's flat statements: squeeze-excitation units, inverted
 * residuals (expand 1×1 → depthwise → [squeeze-excitation] → project 1×1 [→ residual add]) and
 * other residual units that repeat. Every importer writes `let NAME = EXPR` statements; this
 * pass finds runs of them that form a unit with one input and one result, writes one `block`
 * per distinct structure (parameterised by the numbers that differ between its occurrences:
 * channels, kernels, strides, sizes) and calls it where each occurrence was. The call keeps the
 * name of the unit's last statement, so nothing after it changes, and the weights move under
 * the call as the compiler names them (`CALL/block_segment/LOCAL/op/role`).
 *
 * A run only becomes a block when nothing outside it reads a value inside it except its result,
 * and nothing inside it reads a value from outside except its input: the block computes the same
 * thing as the statements it replaces.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { segmentOf } from '../ir/statements.js';
import { RESERVED, type SegStatement } from './layers-to-seg.js';

export interface RecoveredBlocks {
  /** `block` declarations to write before the model. */
  readonly blocks: readonly string[];
  readonly statements: readonly SegStatement[];
  readonly weights: Map<string, tf.Tensor>;
}

interface Token {
  readonly text: string;
  readonly kind: 'name' | 'number' | 'other';
  readonly start: number;
}

/** A unit found: statements `from..to`, its input, and role names for some of its statements. */
interface Unit {
  readonly from: number;
  readonly to: number;
  readonly entry: string;
  readonly roles: ReadonlyMap<number, string>;
}

interface Statement {
  readonly source: SegStatement;
  /** The name a `let` or `input` defines. */
  readonly defines?: string;
  /** The expression of a `let`. */
  readonly expression?: string;
  readonly tokens: readonly Token[];
  /** The op or block the expression calls. */
  readonly op?: string;
  /** Values the statement reads, in order. */
  readonly reads: readonly string[];
}

type Kind = 'squeeze-excitation' | 'inverted residual' | 'residual';
const BLOCK_NAMES: Record<Kind, string> = {
  'squeeze-excitation': 'SqueezeExcite',
  'inverted residual': 'InvertedResidual',
  residual: 'Residual',
};

const TOKEN = /([A-Za-z_][A-Za-z0-9_]*)|([0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)|("(?:[^"\\]|\\.)*")|(\S)/g;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(TOKEN))
    tokens.push({ text: match[0], kind: match[1] ? 'name' : match[2] ? 'number' : 'other', start: match.index });
  return tokens;
}

/** A name token that refers to a value: not an argument name (`stride:`) nor a word value (`padding: valid`). */
function isReference(tokens: readonly Token[], index: number, names: ReadonlySet<string>): boolean {
  const token = tokens[index]!;
  return (
    token.kind === 'name' &&
    names.has(token.text) &&
    tokens[index + 1]?.text !== ':' &&
    tokens[index - 1]?.text !== ':' &&
    tokens[index + 1]?.text !== '('
  );
}

function statementsOf(source: readonly SegStatement[]): Statement[] {
  const names = new Set<string>();
  return source.map((statement) => {
    const let_ = /^let ([A-Za-z_][A-Za-z0-9_]*) = (.*)$/s.exec(statement.text);
    const input = /^input ([A-Za-z_][A-Za-z0-9_]*):/.exec(statement.text);
    const output = /^output [A-Za-z_][A-Za-z0-9_]* = (.*)$/s.exec(statement.text);
    const expression = let_?.[2] ?? output?.[1];
    const tokens = expression === undefined ? [] : tokenize(expression);
    const reads = tokens.flatMap((token, index) => (isReference(tokens, index, names) ? [token.text] : []));
    const defines = let_?.[1] ?? input?.[1];
    if (defines) names.add(defines);
    return {
      source: statement,
      ...(defines ? { defines } : {}),
      ...(let_ ? { expression: let_[2]!, op: tokens[0]?.text } : {}),
      tokens,
      reads,
    };
  });
}

/** Top-level arguments of a call `op(a, b, name: c)`: token index ranges [from, to). */
function argumentsOf(tokens: readonly Token[]): [number, number][] {
  const ranges: [number, number][] = [];
  let depth = 0;
  let from = 2;
  for (let i = 1; i < tokens.length; i++) {
    const text = tokens[i]!.text;
    if (text === '(' || text === '[') depth++;
    else if (text === ')' || text === ']') {
      depth--;
      if (depth === 0) {
        if (i > from) ranges.push([from, i]);
        break;
      }
    } else if (text === ',' && depth === 1) {
      ranges.push([from, i]);
      from = i + 1;
    }
  }
  return ranges;
}

/** `kernel: K` of a dwconv, or the kernel (third positional argument) of a conv, as text. */
function kernelOf(statement: Statement): string | undefined {
  const args = argumentsOf(statement.tokens);
  const text = (range: [number, number]) =>
    statement.tokens
      .slice(range[0], range[1])
      .map((t) => t.text)
      .join('');
  const named = args.find(([from]) => statement.tokens[from]?.text === 'kernel');
  if (named) return text([named[0] + 2, named[1]]);
  const positional = args.filter(([from]) => statement.tokens[from + 1]?.text !== ':');
  return positional[2] ? text(positional[2]) : undefined;
}

const pointwiseConv = (s: Statement) => s.op === 'conv' && kernelOf(s) === '1';
const spatialDepthwise = (s: Statement) => s.op === 'dwconv' && kernelOf(s) !== undefined && kernelOf(s) !== '1';
/** Statements of an activation or a per-channel scale and shift, with the value they act on first. */
const ELEMENTWISE = new Set(['relu', 'relu6', 'sigmoid', 'tanh', 'leakyRelu', 'hardSwish', 'hardSigmoid', 'mul']);
const elementwise = (s: Statement) =>
  (s.op === 'dwconv' && kernelOf(s) === '1') || (s.op !== undefined && ELEMENTWISE.has(s.op));

class Recovery {
  private statements: Statement[];
  private readonly weights: Map<string, tf.Tensor>;
  private readonly blocks: string[] = [];
  private readonly usedBlockNames = new Set<string>();

  constructor(source: readonly SegStatement[], weights: Map<string, tf.Tensor>, taken: readonly string[]) {
    this.statements = statementsOf(source);
    this.weights = new Map(weights);
    for (const name of taken) this.usedBlockNames.add(name);
  }

  run(): RecoveredBlocks {
    this.collapse('squeeze-excitation', (index) => this.squeezeExcitation(index), 1);
    this.collapse('inverted residual', (index) => this.invertedResidual(index), 1);
    this.collapse('residual', (index) => this.residual(index), 2);
    return { blocks: this.blocks, statements: this.statements.map((s) => s.source), weights: this.weights };
  }

  private indexOf(name: string): number {
    return this.statements.findIndex((s) => s.defines === name);
  }

  /**
   * Statements `from..to` form a unit with input `entry`: they read nothing defined outside them
   * but `entry`, and only statement `to`'s value is read after them.
   */
  private closed(from: number, to: number, entry: string): boolean {
    if (to - from < 1 || this.indexOf(entry) >= from) return false;
    const inside = new Set<string>([entry]);
    for (let i = from; i <= to; i++) {
      const statement = this.statements[i]!;
      if (!statement.expression || !statement.defines) return false;
      if (statement.reads.some((name) => !inside.has(name))) return false;
      inside.add(statement.defines);
    }
    inside.delete(entry);
    inside.delete(this.statements[to]!.defines!);
    return this.statements.every((s, i) => (i >= from && i <= to) || s.reads.every((name) => !inside.has(name)));
  }

  /** gap(e) → … → mul(e, gate): the range, or undefined. */
  private squeezeExcitation(from: number): Unit | undefined {
    const pool = this.statements[from]!;
    const entry = pool.reads[0];
    // A global pool, or an average pool whose window is the whole map (tfjs graph models).
    if ((pool.op !== 'gap' && pool.op !== 'avgpool') || !entry) return undefined;
    for (let to = from + 2; to < this.statements.length; to++) {
      const s = this.statements[to]!;
      if (s.op !== 'mul' || s.reads.length !== 2 || !s.reads.includes(entry)) continue;
      if (!this.closed(from, to, entry)) return undefined;
      // The two 1×1 convolutions: the channels squeezed, then the gate per channel.
      const convs = this.range(from, to).filter((i) => this.statements[i]!.op === 'conv');
      const roles = new Map<number, string>([[from, 'pool']]);
      if (convs.length === 2) roles.set(convs[0]!, 'squeeze').set(convs[1]!, 'excite');
      roles.set(to, 'scaled');
      return { from, to, entry, roles };
    }
    return undefined;
  }

  /**
   * expand conv 1×1 → activations → depthwise k×k (k > 1) → activations, squeeze-excitation →
   * project conv 1×1 → [a scale and shift] → [add of the input]. `from` is the expand conv.
   */
  private invertedResidual(from: number): Unit | undefined {
    const expand = this.statements[from]!;
    const entry = expand.reads[0];
    if (!pointwiseConv(expand) || !entry) return undefined;
    let i = from + 1;
    while (i < this.statements.length && elementwise(this.statements[i]!)) i++;
    if (!this.statements[i] || !spatialDepthwise(this.statements[i]!)) return undefined;
    const roles = new Map<number, string>([
      [from, 'expand'],
      [i, 'depthwise'],
    ]);
    i++;
    while (
      i < this.statements.length &&
      (elementwise(this.statements[i]!) || this.statements[i]!.op?.startsWith(BLOCK_NAMES['squeeze-excitation']))
    )
      i++;
    if (!this.statements[i] || !pointwiseConv(this.statements[i]!)) return undefined;
    roles.set(i, 'project');
    for (let k = from; k < i; k++)
      if (this.statements[k]!.op?.startsWith(BLOCK_NAMES['squeeze-excitation'])) roles.set(k, 'se');
    const ends = [i];
    const next = this.statements[i + 1];
    if (next?.op === 'dwconv' && kernelOf(next) === '1' && next.reads[0] === this.statements[i]!.defines)
      ends.push(i + 1);
    const last = ends.at(-1)!;
    const add = this.statements[last + 1];
    if (
      add?.op === 'add' &&
      add.reads.length === 2 &&
      add.reads.includes(entry) &&
      add.reads.includes(this.statements[last]!.defines!)
    )
      ends.push(last + 1);
    for (const to of ends.reverse()) if (this.closed(from, to, entry)) return { from, to, entry, roles };
    return undefined;
  }

  /** add(e, y) where everything from e's first reader to the add is the branch (and the shortcut). */
  private residual(to: number): Unit | undefined {
    const add = this.statements[to]!;
    if (add.op !== 'add' || add.reads.length !== 2) return undefined;
    for (const entry of [...add.reads].sort((a, b) => this.indexOf(a) - this.indexOf(b))) {
      const defined = this.indexOf(entry);
      const from = this.statements.findIndex((s, i) => i > defined && s.reads.includes(entry));
      if (from >= 0 && to - from >= 2 && this.closed(from, to, entry))
        return { from, to, entry, roles: new Map([[to, 'sum']]) };
    }
    return undefined;
  }

  /**
   * Finds the units of one kind (`find` from a start index for the first two kinds, from the end
   * index for residuals), writes one block per structure seen at least `repeats` times, and
   * replaces each unit by a call.
   */
  private collapse(kind: Kind, find: (index: number) => Unit | undefined, repeats: number): void {
    const units: Unit[] = [];
    let taken = -1;
    for (let index = 0; index < this.statements.length; index++) {
      const found = find(index);
      if (!found || found.from <= taken) continue;
      units.push(found);
      taken = found.to;
      if (kind !== 'residual') index = found.to;
    }
    const templates = units.map((unit) => this.template(unit));
    const groups = new Map<string, number[]>();
    templates.forEach((t, i) => groups.set(t.key, [...(groups.get(t.key) ?? []), i]));
    const calls = new Map<number, { to: number; statement: Statement }>();
    for (const members of groups.values()) {
      if (members.length < repeats) continue;
      const name = this.blockName(kind);
      const first = templates[members[0]!]!;
      // Numbers that differ between occurrences become parameters; the others stay literal.
      const varying = first.numbers.map((_, k) => new Set(members.map((m) => templates[m]!.numbers[k])).size > 1);
      const parameters = this.parameterNames(first, varying);
      const types = first.numbers.map((_, k) =>
        members.every((m) => /^[0-9]+$/.test(templates[m]!.numbers[k]!)) ? 'int' : 'float',
      );
      const declared = parameters.flatMap((p, k) => (p ? [`${p}: ${types[k]}`] : []));
      const lines = first.lines(parameters);
      this.blocks.push(
        `// ${/^[aeiou]/.test(kind) ? 'An' : 'A'} ${kind} unit, recovered by segc import from ${members.length} occurrence${members.length > 1 ? 's' : ''}.\nblock ${name}(${['x', ...declared].join(', ')}) {\n${lines
          .flatMap((l) => l.split('\n'))
          .map((l) => `  ${l}\n`)
          .join('')}}\n`,
      );
      for (const m of members) {
        const unit = units[m]!;
        const t = templates[m]!;
        const args = [unit.entry, ...parameters.flatMap((p, k) => (p ? [`${p}: ${t.numbers[k]}`] : []))];
        const exit = this.statements[unit.to]!.defines!;
        this.moveWeights(unit.from, unit.to, exit, segmentOf(name), t.locals);
        const first = this.statements[unit.from]!.source.comment;
        const last = this.statements[unit.to]!.source.comment;
        const comment = `${kind}${first ? `: ${first}` : ''}${last && last !== first ? ` … ${last}` : ''}`;
        const text = `let ${exit} = ${name}(${args.join(', ')})`;
        calls.set(unit.from, { to: unit.to, statement: statementsOf([{ text, comment }])[0]! });
      }
    }
    if (calls.size === 0) return;
    const result: Statement[] = [];
    for (let i = 0; i < this.statements.length; i++) {
      const call = calls.get(i);
      if (!call) {
        result.push(this.statements[i]!);
        continue;
      }
      result.push(this.reparse(call.statement, result));
      i = call.to;
    }
    this.statements = result;
  }

  /** A statement's reads computed against the names defined before it. */
  private reparse(statement: Statement, before: readonly Statement[]): Statement {
    const names = new Set(before.flatMap((s) => (s.defines ? [s.defines] : [])));
    const reads = statement.tokens.flatMap((token, index) =>
      isReference(statement.tokens, index, names) ? [token.text] : [],
    );
    return { ...statement, reads };
  }

  private blockName(kind: Kind): string {
    const base = BLOCK_NAMES[kind];
    let name = base;
    for (let count = 2; this.usedBlockNames.has(name); count++) name = `${base}${count}`;
    this.usedBlockNames.add(name);
    return name;
  }

  /**
   * The unit's statements with the input as `x`, the values inside under local names (the op
   * and a count: `conv1`, `relu2`), and each number a slot; `key` is the structure.
   */
  private range(from: number, to: number): number[] {
    return Array.from({ length: to - from + 1 }, (_, k) => from + k);
  }

  private template({ from, to, entry, roles }: Unit) {
    const locals = new Map<string, string>([[entry, 'x']]);
    const counts = new Map<string, number>();
    const numbers: string[] = [];
    /** Per number slot: the statement's local name and the argument it sits in. */
    const slots: { local: string; argument: string }[] = [];
    const pieces: ((parameters: readonly (string | undefined)[]) => string)[] = [];
    const keyParts: string[] = [];
    for (let i = from; i <= to; i++) {
      const s = this.statements[i]!;
      const base = (s.op ?? 'value').replace(/^[A-Z]/, (c) => c.toLowerCase());
      const role = roles.get(i);
      const count = (counts.get(base) ?? 0) + (role ? 0 : 1);
      counts.set(base, count);
      const local = role ?? `${base}${count}`;
      const expression = s.expression!;
      const args = argumentsOf(s.tokens);
      const parts: (string | number)[] = [];
      let at = 0;
      s.tokens.forEach((token, index) => {
        const reference =
          token.kind === 'name' && s.reads.includes(token.text) && isReference(s.tokens, index, new Set(s.reads));
        if (!reference && token.kind !== 'number') return;
        parts.push(expression.slice(at, token.start));
        at = token.start + token.text.length;
        if (reference) return void parts.push(locals.get(token.text)!);
        const range = args.findIndex(([a, b]) => index >= a && index < b);
        const named = range >= 0 && s.tokens[args[range]![0] + 1]?.text === ':';
        const positional = args.slice(0, range + 1).filter(([a]) => s.tokens[a + 1]?.text !== ':').length - 1;
        const argument = named
          ? s.tokens[args[range]![0]]!.text
          : (POSITIONAL[s.op ?? '']?.[positional] ?? `${base}_argument${positional}`);
        slots.push({ local, argument });
        parts.push(numbers.length);
        numbers.push(token.text);
      });
      parts.push(expression.slice(at));
      locals.set(s.defines!, local);
      // The source's comment without the node's name, which differs between occurrences (the
      // first occurrence's; comments are not part of the structure); a nested block's is its kind.
      const nested = s.op !== undefined && this.usedBlockNames.has(s.op);
      const note = nested ? undefined : withoutNodeNames(s.source.comment);
      // The result is a `let` too, so that its weights are named after it like the others.
      const head = `let ${local} = `;
      const tail = i === to ? `\nreturn ${local}` : '';
      pieces.push(
        (parameters) =>
          (note ? `// ${note}\n` : '') +
          head +
          parts.map((p) => (typeof p === 'number' ? (parameters[p] ?? numbers[p]!) : p)).join('') +
          tail,
      );
      keyParts.push(head + parts.map((p) => (typeof p === 'number' ? '#' : p)).join('') + tail);
    }
    return {
      key: keyParts.join('\n'),
      numbers,
      slots,
      locals: new Map([...locals].filter(([name]) => name !== entry)),
      lines: (parameters: readonly (string | undefined)[]) => pieces.map((piece) => piece(parameters)),
    };
  }

  /** Names for the varying slots: the argument (`filters`, `stride`), or `LOCAL_argument` where several share one. */
  private parameterNames(
    template: { slots: readonly { local: string; argument: string }[] },
    varying: readonly boolean[],
  ): (string | undefined)[] {
    const arguments_ = template.slots.filter((_, k) => varying[k]).map((slot) => slot.argument);
    const used = new Set<string>(['x']);
    return template.slots.map((slot, k) => {
      if (!varying[k]) return undefined;
      // A statement with a role (`expand`, `project`) names its parameters (`expand_filters`).
      const role = !/[0-9]$/.test(slot.local);
      let base =
        role || arguments_.filter((a) => a === slot.argument).length > 1
          ? `${slot.local}_${slot.argument}`
          : slot.argument;
      if (RESERVED.has(base)) base = `${base}_value`;
      let name = base;
      for (let count = 2; used.has(name); count++) name = `${base}_${count}`;
      used.add(name);
      return name;
    });
  }

  /** Weights of the statements `from..to` under the call: `CALL/SEGMENT/LOCAL/…`. */
  private moveWeights(
    from: number,
    to: number,
    call: string,
    segment: string,
    locals: ReadonlyMap<string, string>,
  ): void {
    const moves: [string, string][] = [];
    for (let i = from; i <= to; i++) {
      const name = this.statements[i]!.defines!;
      const local = locals.get(name)!;
      for (const key of this.weights.keys())
        if (key.startsWith(`${name}/`)) moves.push([key, `${call}/${segment}/${local}/${key.slice(name.length + 1)}`]);
    }
    const tensors = moves.map(([key]) => this.weights.get(key)!);
    for (const [key] of moves) this.weights.delete(key);
    moves.forEach(([, key], i) => this.weights.set(key, tensors[i]!));
  }
}

/**
 * A statement's comment without the node names in it, which differ between occurrences: the
 * op of each node it names (`Conv2D Conv2D_14 … Add conv2d_13_1` → `Conv2D … Add`) and the
 * explanation after the first `: `.
 */
function withoutNodeNames(comment: string | undefined): string | undefined {
  if (!comment) return undefined;
  const colon = comment.indexOf(': ');
  const nodes = colon < 0 ? comment : comment.slice(0, colon);
  const ops = nodes
    .split(' … ')
    .map((piece) => piece.split(' ')[0])
    .join(' … ');
  return colon < 0 ? ops : `${ops}${comment.slice(colon)}`;
}

/** The names of positional numeric arguments, by op. */
const POSITIONAL: Record<string, readonly string[]> = {
  conv: ['x', 'filters', 'kernel'],
  convTranspose: ['x', 'filters', 'kernel'],
  sepconv: ['x', 'filters', 'kernel'],
  dense: ['x', 'units'],
  maxpool: ['x', 'size'],
  avgpool: ['x', 'size'],
};

/**
 * Recovers blocks from an importer's statements; the weights map is not changed (a new one is
 * returned). `taken` are declaration names the blocks must not take (the model's).
 */
export function recoverBlocks(
  statements: readonly SegStatement[],
  weights: Map<string, tf.Tensor>,
  taken: readonly string[] = [],
): RecoveredBlocks {
  return new Recovery(statements, weights, taken).run();
}
