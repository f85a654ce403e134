/**
 * A compiled model as a readable PyTorch module: one `segc.Block` class per block call (calls
 * whose code comes out the same share a class) and one for the model. Each layer with weights
 * is registered under its node path, so state_dict keys are segc's weight names with `.` for
 * `/`; each line of `forward` is headed by the node's path, op, shape (NCHW, symbolic sizes as
 * the checker writes them) and `.seg` location. The model's `forward` takes and returns segc's
 * layout (NHWC) and runs NCHW inside.
 */
import type { Span } from '../../diagnostics/diagnostic.js';
import type { Graph, IRNode } from '../../ir/graph.js';
import type { SizeSpace } from '../../shapes/sizes.js';
import type { TensorType } from '../../ops/op.js';
import { type Instance, allNodes, instanceTree } from './instances.js';
import { LOWERINGS, pythonLiteral } from './layers.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError } from '../../diagnostics/error.js';

const PYTHON_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda ' +
    'nonlocal not or pass raise return try while with yield self segc torch F nn math np print'
  ).split(' '),
);

/** Attributes of nn.Module (and of `segc.Block`) a path segment must not shadow. */
const MODULE_ATTRIBUTES = new Set(
  (
    'training forward add at segc_layers parameters buffers children modules state_dict to cuda cpu train eval apply half float double type ' +
    'zero_grad register_buffer register_parameter register_module add_module get_submodule get_parameter get_buffer load_state_dict ' +
    'named_parameters named_modules named_children named_buffers requires_grad_ extra_repr share_memory bfloat16 xpu ipu ' +
    'dump_patches call_super_init'
  ).split(' '),
);

export interface PytorchSource {
  readonly graph: Graph;
  readonly sizes: SizeSpace;
  /** The `.seg` file as it should appear in comments. */
  readonly source: string;
}

/** Turns paths into unique Python identifiers within one scope. */
class Names {
  private readonly used = new Set<string>();

  constructor(reserved: readonly string[] = []) {
    for (const name of reserved) this.used.add(name);
  }

  take(text: string): string {
    let base = text.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'value';
    if (/^[0-9]/.test(base)) base = `_${base}`;
    if (PYTHON_KEYWORDS.has(base)) base = `${base}_`;
    let name = base;
    for (let k = 2; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }
}

function relative(path: string, scope: string): string {
  return scope === '' ? path : path.slice(scope.length + 1);
}

function location(span: Span): string {
  return `${span.file}:${span.start.line}`;
}

/** A tensor type as the module holds it: 4-D maps as [N, C, H, W]. */
function shapeText(type: TensorType, sizes: SizeSpace): string {
  const dims = type.shape.map((d) => sizes.format(d));
  const ordered = dims.length === 4 ? [dims[0], dims[3], dims[1], dims[2]] : dims;
  return `[${ordered.join(', ')}]`;
}

function comment(text: string): string {
  return `# ${text.replace(/[\r\n\u2028\u2029]+/g, ' ')}`;
}

function checkPath(path: string, node: IRNode): void {
  const bad = path
    .split('/')
    .find((segment) => segment.includes('.') || segment === '' || MODULE_ATTRIBUTES.has(segment));
  if (bad === undefined) return;
  throw diagnosticError(
    codes.pytorchNameClash,
    `the layer path \`${node.name}\` cannot name a PyTorch submodule: its segment \`${bad}\` ${bad.includes('.') ? 'holds a `.`' : 'is an attribute of nn.Module'}`,
    { hint: 'rename the binding or the `@name` that gives this segment', span: node.span },
  );
}

function loweringOf(node: IRNode) {
  const lowering = LOWERINGS[node.op];
  if (lowering) return lowering;
  throw diagnosticError(codes.opNotInPytorch, `\`${node.op}\` (${node.name}) has no PyTorch lowering yet`, {
    hint: 'build this model for tfjs (`--target ts`), or use an op that PyTorch builds support (docs/pytorch.md)',
    span: node.span,
  });
}

interface Boundary {
  /** Ids of values read inside and made outside, in id order. */
  readonly inputs: number[];
  /** Ids of values made inside and read outside (or model outputs), in id order. */
  readonly outputs: number[];
}

function boundaryOf(instance: Instance, graph: Graph): Boundary {
  const inside = new Set(allNodes(instance).map((node) => node.id));
  const inputs = new Set<number>();
  const outputs = new Set<number>(graph.outputs.map((o) => o.node).filter((id) => inside.has(id)));
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      if (inside.has(node.id) && !inside.has(input)) inputs.add(input);
      if (!inside.has(node.id) && inside.has(input)) outputs.add(input);
    }
  }
  const sorted = (ids: Set<number>) => [...ids].sort((a, b) => a - b);
  return { inputs: sorted(inputs), outputs: sorted(outputs) };
}

type Member = { readonly kind: 'node'; readonly node: IRNode } | { readonly kind: 'call'; readonly instance: Instance };

function membersOf(instance: Instance): Member[] {
  const members: (Member & { first: number })[] = [
    ...instance.nodes.map((node) => ({ kind: 'node' as const, node, first: node.id })),
    ...instance.children.map((child) => ({ kind: 'call' as const, instance: child, first: allNodes(child)[0]!.id })),
  ];
  return members.sort((a, b) => a.first - b.first);
}

/** Writes the classes; `classOf` remembers each instance's class, shared when the code is the same. */
class Writer {
  private readonly classes: string[] = [];
  private readonly byText = new Map<string, string>();
  private readonly classNames = new Names(['Block', 'Scope']);
  private readonly hasErase: boolean;

  constructor(private readonly request: PytorchSource) {
    this.hasErase = request.graph.nodes.some((node) => node.op === 'erase');
  }

  write(): string[] {
    const root = instanceTree(this.request.graph);
    for (const child of root.children) this.blockClass(child);
    this.classes.push(this.modelClass(root).replace('\u0000', this.classNames.take(this.request.graph.model)));
    return this.classes;
  }

  private blockClass(instance: Instance): string {
    for (const child of instance.children) this.blockClass(child);
    const { graph } = this.request;
    const boundary = boundaryOf(instance, graph);
    const names = new Names();
    const values = new Map<number, string>();
    const parameters = boundary.inputs.map((id, index) => {
      const name = names.take(index === 0 ? 'x' : `x${index}`);
      values.set(id, name);
      return name;
    });
    const body = this.forwardBody(instance, names, values, '        ');
    const results = boundary.outputs.map((id) => values.get(id)!);
    const lines = [
      `class \u0000(segc.Block):`,
      `    """${instance.block} (called at ${this.escapeDoc(instance.site ?? '')})."""`,
      '',
      ...this.initLines(instance),
      '',
      `    def forward(self, ${parameters.join(', ')}):`,
      ...body,
      `        return ${results.join(', ')}`,
    ];
    // Calls whose code is the same share a class; the text is compared without the call site.
    const text = lines.join('\n');
    const key = [lines[0], ...lines.slice(2)].join('\n');
    const existing = this.byText.get(key);
    if (existing) {
      this.classNameOf.set(instance, existing);
      return existing;
    }
    const name = this.classNames.take(instance.block);
    this.byText.set(key, name);
    this.classNameOf.set(instance, name);
    this.classes.push(text.replace('\u0000', name));
    return name;
  }

  private readonly classNameOf = new Map<Instance, string>();

  /** Text inside a docstring; line breaks become `newline` (a space by default). */
  private escapeDoc(text: string, newline = ' '): string {
    return docText(text, newline);
  }

  private initLines(instance: Instance): string[] {
    const lines = ['    def __init__(self):', '        super().__init__()'];
    for (const member of membersOf(instance)) {
      if (member.kind === 'call') {
        const path = relative(member.instance.path, instance.path);
        checkPath(path, allNodes(member.instance)[0]!);
        lines.push(`        self.add(${pythonLiteral(path)}, ${this.classNameOf.get(member.instance)}())`);
        continue;
      }
      if (member.node.op === 'input') continue;
      const lowering = loweringOf(member.node);
      if (!lowering.module) continue;
      const path = relative(member.node.name, instance.path);
      checkPath(path, member.node);
      lines.push(`        self.add(${pythonLiteral(path)}, ${lowering.module(member.node)})`);
    }
    return lines;
  }

  private forwardBody(instance: Instance, names: Names, values: Map<number, string>, indent: string): string[] {
    const { graph, sizes } = this.request;
    const lines: string[] = [];
    for (const member of membersOf(instance)) {
      if (member.kind === 'node') {
        const node = member.node;
        const path = relative(node.name, instance.path);
        const inputs = node.inputs.map((id) => values.get(id)!);
        const inputTypes = node.inputs.map((id) => graph.nodes[id]!.type);
        const expression = loweringOf(node).call({
          node,
          inputs,
          inputTypes,
          layer: `self.at(${pythonLiteral(path)})`,
        });
        const name = names.take(node.binding && instance.path === '' ? node.binding : path);
        values.set(node.id, name);
        lines.push(
          `${indent}${comment(`${path}: ${node.op} -> ${shapeText(node.type, sizes)} (${location(node.span)})`)}`,
        );
        lines.push(`${indent}${name} = ${expression}`);
        continue;
      }
      const child = member.instance;
      const boundary = boundaryOf(child, graph);
      const path = relative(child.path, instance.path);
      const results = boundary.outputs.map((id) => {
        const { binding, name: nodeName } = graph.nodes[id]!;
        const name = names.take(binding && instance.path === '' ? binding : relative(nodeName, instance.path));
        values.set(id, name);
        return name;
      });
      const shapes = boundary.outputs.map((id) => shapeText(graph.nodes[id]!.type, sizes)).join(', ');
      lines.push(`${indent}${comment(`${path}: ${child.block} -> ${shapes} (${child.site ?? ''})`)}`);
      lines.push(
        `${indent}${results.join(', ')} = self.at(${pythonLiteral(path)})(${boundary.inputs.map((id) => values.get(id)!).join(', ')})`,
      );
    }
    return lines;
  }

  private modelClass(root: Instance): string {
    const { graph, sizes } = this.request;
    const names = new Names();
    const values = new Map<number, string>();
    const inputLines: string[] = [];
    const parameters = graph.inputs.map((input) => {
      const name = names.take(input.name);
      values.set(input.node, name);
      const type = graph.nodes[input.node]!.type;
      inputLines.push(
        `        ${comment(`${input.name}: [${type.shape.map((d) => sizes.format(d)).join(', ')}] in segc's layout`)}`,
      );
      if (type.shape.length === 4) inputLines.push(`        ${name} = segc.channels_first(${name})`);
      return name;
    });
    const indent = this.hasErase ? '            ' : '        ';
    const body = this.forwardBody(
      { ...root, nodes: root.nodes.filter((node) => node.op !== 'input') },
      names,
      values,
      indent,
    );
    const outputs = graph.outputs.map(
      (output) => `${pythonLiteral(output.name)}: segc.channels_last(${values.get(output.node)})`,
    );
    const signature = this.hasErase ? [...parameters, 'target_classes=None'] : parameters;
    const doc = graph.doc ? `${this.escapeDoc(graph.doc, '\n    ')}\n\n    ` : '';
    return [
      `class \u0000(segc.Block):`,
      `    """${doc}The model \`${graph.model}\` of ${this.escapeDoc(this.request.source)}: inputs and outputs in segc's layout (NHWC)."""`,
      '',
      `    PARAMS = ${pythonDict(graph.params)}`,
      `    INPUTS = ${pythonLiteral(graph.inputs.map((input) => input.name) as unknown as readonly number[])}`,
      `    OUTPUTS = ${pythonLiteral(graph.outputs.map((output) => output.name) as unknown as readonly number[])}`,
      '',
      ...this.initLines(root),
      '',
      `    def forward(self, ${signature.join(', ')}):`,
      ...(this.hasErase
        ? ['        """`target_classes` steers ACoL erasing while training (the label per image)."""']
        : []),
      ...inputLines,
      ...(this.hasErase ? ['        with segc.target_classes(target_classes):'] : []),
      ...body,
      `${indent}return {${outputs.join(', ')}}`,
    ].join('\n');
  }
}

/** Text inside a `"""` docstring: backslashes and every quote escaped, so no quote can close it. */
function docText(text: string, newline = ' '): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r?\n|[\r\u2028\u2029]/g, newline);
}

function pythonDict(values: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(values).map(
    ([key, value]) => `${pythonLiteral(key)}: ${pythonLiteral(value as never)}`,
  );
  return `{${entries.join(', ')}}`;
}

/** Only the imports the code uses, so the module passes a linter as written. */
function importLines(code: string): string[] {
  const uses = (name: string) => new RegExp(`\\b${name}\\.`).test(code);
  const standard = uses('math') ? ['import math', ''] : [];
  const torch = [...(uses('torch') ? ['import torch'] : []), ...(uses('F') ? ['import torch.nn.functional as F'] : [])];
  return [...standard, ...torch, ...(torch.length > 0 ? [''] : []), 'import segc_torch as segc', ''];
}

/** The module's text: the classes, then `MODEL` and the command-line entry point. */
export function generatePytorchModule(request: PytorchSource): string {
  const { graph } = request;
  const classes = new Writer(request).write();
  const model = classes[classes.length - 1]!.match(/^class (\w+)/)![1]!;
  return [
    `"""${graph.model}: generated by \`segc build --target pytorch\` from ${docText(request.source.replace(/\\/g, '/'))}; do not edit.`,
    '',
    `Run: python3 ${'<this file>'} --weights W.safetensors --input X.npy --output Y.npy`,
    'Train: torchrun --nproc_per_node=N train.py --data DIR (see docs/pytorch.md).',
    '"""',
    ...importLines(classes.join('\n')),
    ...classes.flatMap((text) => ['', text, '']),
    '',
    `MODEL = ${model}`,
    '',
    'if __name__ == "__main__":',
    `    segc.run_main(MODEL, ${pythonLiteral(`Runs ${graph.model} on an NHWC float32 array.`)})`,
    '',
  ].join('\n');
}
