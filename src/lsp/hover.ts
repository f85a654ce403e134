/**
 * Hover: what a name or pipeline step is. For a tensor, the shape the compiler inferred (with
 * symbolic sizes such as `H/16`), the parameters of the layer and its receptive field; for an
 * operation or block, its signature and documentation.
 */
import type * as ast from '../parser/ast.js';
import type { CompiledModel } from '../compiler/compile.js';
import type { Graph, IRNode } from '../ir/graph.js';
import type { SizeSpace } from '../shapes/sizes.js';
import { receptiveFields } from '../ir/analysis/receptive-field.js';
import { findBuiltin } from '../ir/builtins.js';
import { findOp } from '../ops/registry.js';
import type { Analysis, Range, Workspace } from './analysis.js';
import { declarationSignature, opSignature, sourceText } from './describe.js';
import { type Occurrence, type Target, occurrenceAt } from './symbols.js';

export interface HoverResult {
  /** Markdown. */
  readonly contents: string;
  readonly range: Range;
}

/**
 * `inputSize`: an input height and width to show shapes at as well (the editor's counterpart of
 * `segc summary --input H,W`), for models whose input sizes are symbolic.
 */
export function hover(
  workspace: Workspace,
  analysis: Analysis,
  offset: number,
  inputSize?: readonly [number, number],
): HoverResult | undefined {
  const occurrence = analysis.module ? occurrenceAt(analysis.module, offset) : undefined;
  if (!occurrence) return undefined;
  const parts = [describeTarget(analysis, occurrence.target, occurrence.name)];
  const tensor = tensorAt(analysis, occurrence);
  if (tensor) parts.push(describeNode(tensor.model, tensor.node, inputSize));
  const contents = parts.filter((p) => p).join('\n\n---\n\n');
  return contents ? { contents, range: workspace.linesOf(analysis.path).range(occurrence.span) } : undefined;
}

function code(text: string): string {
  return '```seg\n' + text + '\n```';
}

function describeTarget(analysis: Analysis, target: Target | undefined, name: string): string {
  if (!target) return '';
  switch (target.kind) {
    case 'operation': {
      const signature = opSignature(findOp(target.name)!);
      const params = findOp(target.name)!
        .params.map((p) => `- \`${p.name}\`: ${p.doc}`)
        .join('\n');
      return `${code(signature.label)}\noperation: ${signature.doc}\n\n${params}`;
    }
    case 'builtin':
      return `${code(findBuiltin(target.name)!.signature)}\ncompile-time function`;
    case 'declaration': {
      const signature = declarationSignature(target.declaration, analysis.program.sources.get(target.file) ?? '');
      return `${code(signature.label)}${signature.doc ? `\n${signature.doc}` : ''}\n\ndeclared in \`${target.file}\``;
    }
    case 'binding':
      return code(bindingText(analysis, target));
    case 'argument':
      return argumentText(analysis, target) ?? code(`${name}:`);
    case 'annotation':
      return code(`@${target.name}`) + '\nannotation';
  }
}

function bindingText(analysis: Analysis, target: Extract<Target, { kind: 'binding' }>): string {
  const statement = target.statement;
  if (statement?.kind === 'Param') {
    const param = statement as ast.Param;
    const source = analysis.program.sources.get(target.span.file) ?? '';
    const type = param.type ? `: ${param.type.name}${param.type.list ? '[]' : ''}` : ': tensor';
    return `(parameter) ${target.name}${type}${param.default ? ` = ${sourceText(param.default, source)}` : ''}`;
  }
  if (target.binding === 'symbol') return `(size) ${target.name}`;
  if (statement?.kind === 'InputStmt') {
    const source = analysis.program.sources.get(target.span.file) ?? '';
    const input = statement as ast.InputStmt;
    const annotations = input.annotations.map((annotation) => ` ${sourceText(annotation, source)}`).join('');
    return `(input) ${target.name}: ${sourceText(input.type, source)}${annotations}`;
  }
  return `(${target.binding}) ${target.name}`;
}

function argumentText(analysis: Analysis, target: Extract<Target, { kind: 'argument' }>): string | undefined {
  const callee = target.callee;
  if (callee?.kind === 'operation') {
    const param = findOp(callee.name)!.params.find((p) => p.name === target.name);
    return param
      ? `${code(opSignature(findOp(callee.name)!).parameters.find((p) => p.name === target.name)!.label)}\n${param.doc}`
      : undefined;
  }
  if (callee?.kind === 'declaration') {
    const signature = declarationSignature(callee.declaration, analysis.program.sources.get(callee.file) ?? '');
    const param = signature.parameters.find((p) => p.name === target.name);
    return param ? code(param.label) : undefined;
  }
  return undefined;
}

interface Found {
  readonly model: CompiledModel & { readonly graph: Graph };
  readonly node: IRNode;
}

const sameSpan = (a: ast.Node['span'], b: ast.Node['span']) =>
  a.file === b.file && a.start.offset === b.start.offset && a.end.offset === b.end.offset;

/** The IR node a name or step stands for, in the first elaborated model that reaches it. */
function tensorAt(analysis: Analysis, occurrence: Occurrence): Found | undefined {
  const models = (analysis.compiled?.models ?? []).filter((m): m is Found['model'] => m.graph !== undefined);
  const target = occurrence.target;
  for (const model of models) {
    const nodes = model.graph.nodes;
    let node: IRNode | undefined;
    if (occurrence.call) {
      const call = occurrence.call.span;
      node =
        nodes.find((n) => sameSpan(n.span, call)) ??
        nodes.filter((n) => n.callChain.some((c) => sameSpan(c.span, call))).at(-1);
    } else if (target?.kind === 'binding' && target.binding !== 'symbol' && target.binding !== 'variable') {
      node =
        nodes.filter((n) => n.binding === target.name && inContext(n, target.declaration, model)).at(-1) ??
        inputNode(model, target.name, target.declaration);
    }
    if (node) return { model, node };
  }
  return undefined;
}

/** A model's own nodes, or nodes made by (the first call of) the block. */
function inContext(node: IRNode, declaration: ast.Declaration, model: CompiledModel): boolean {
  if (declaration.kind === 'ModelDecl')
    return (
      declaration === model.declaration &&
      (node.callChain.length === 0 ||
        (node.callChain[0]!.span.file === declaration.span.file &&
          node.callChain[0]!.span.start.offset >= declaration.span.start.offset &&
          node.callChain[0]!.span.end.offset <= declaration.span.end.offset))
    );
  const index = node.callChain.findIndex((c) => c.block === declaration.name.name);
  return (
    index >= 0 &&
    (index === node.callChain.length - 1 || node.callChain[index + 1]!.span.file === declaration.span.file)
  );
}

function inputNode(model: Found['model'], name: string, declaration: ast.Declaration): IRNode | undefined {
  if (declaration !== model.declaration) return undefined;
  const input = model.graph.inputs.find((i) => i.name === name);
  return input ? model.graph.nodes[input.node] : undefined;
}

/** The model's sizes with the first input's height and width fixed, when those are symbols. */
function atInputSize(
  model: Found['model'],
  inputSize: readonly [number, number],
): { sizes: SizeSpace; text: string } | undefined {
  const input = model.graph.inputs[0];
  const dims = input ? model.graph.nodes[input.node]!.type.shape.slice(1, 3) : [];
  const fixed = new Map<string, number>();
  dims.forEach((d, i) => d.kind === 'sym' && fixed.set(d.name, inputSize[i]!));
  if (fixed.size === 0) return undefined;
  return {
    sizes: model.sizes.withFixed(fixed),
    text: [...fixed].map(([name, value]) => `${name} = ${value}`).join(', '),
  };
}

const shapeText = (node: IRNode, sizes: SizeSpace) =>
  `${node.type.dtype}[${node.type.shape.map((d) => sizes.format(d)).join(', ')}]`;

function describeNode(model: Found['model'], node: IRNode, inputSize?: readonly [number, number]): string {
  const shape = shapeText(node, model.sizes);
  const params = node.weights
    .filter((w) => w.trainable)
    .reduce((sum, w) => sum + w.shape.reduce((p, d) => p * d, 1), 0);
  const field = receptiveFields(model.graph)[node.id]!;
  const extent = Number.isFinite(field.receptiveField) ? `${field.receptiveField} px` : 'the whole image';
  const stride = Number.isFinite(field.outputStride) ? String(field.outputStride) : 'global';
  const lines = [
    `**shape** \`${shape}\` in model \`${model.name}\``,
    `layer \`${node.name}\` (${node.op})${params ? `, ${params.toLocaleString('en-US')} parameters` : ''}`,
    `receptive field ${extent}, output stride ${stride}`,
  ];
  const symbols = model.graph.symbols.map((s) =>
    s.constraints.length ? `${s.name} (${s.constraints.join(', ')})` : s.name,
  );
  if (symbols.length) lines.push(`sizes: ${symbols.join(', ')}`);
  const fixed = inputSize ? atInputSize(model, inputSize) : undefined;
  if (fixed) lines.push(`at ${fixed.text}: \`${shapeText(node, fixed.sizes)}\``);
  return lines.join('  \n');
}
