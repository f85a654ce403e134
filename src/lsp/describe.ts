/** How operations, blocks and their parameters read in hovers, completions and signature help. */
import type { AttrValue, OpDef, ParamSpec, ParamType } from '../ops/op.js';
import type * as ast from '../parser/ast.js';

export interface ParameterInfo {
  readonly name: string;
  /** `filters: int`, `stride: int2 = 1`. */
  readonly label: string;
  readonly doc: string;
}

export interface SignatureInfo {
  readonly name: string;
  readonly label: string;
  readonly doc: string;
  readonly parameters: readonly ParameterInfo[];
}

export function typeText(type: ParamType): string {
  return typeof type === 'string' ? type : type.enum.join(' | ');
}

function valueText(value: AttrValue): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) return `[${value.map(valueText).join(', ')}]`;
  return String(value);
}

function opParameter(param: ParamSpec): ParameterInfo {
  const fallback = param.default === undefined ? '' : ` = ${valueText(param.default)}`;
  return { name: param.name, label: `${param.name}: ${typeText(param.type)}${fallback}`, doc: param.doc };
}

export function opSignature(op: OpDef): SignatureInfo {
  const parameters = op.params.map(opParameter);
  const doc = op.notes ? `${op.summary}\n\n${op.notes}` : op.summary;
  return { name: op.name, label: `${op.name}(${parameters.map((p) => p.label).join(', ')})`, doc, parameters };
}

/** A node's text as written in its file. */
export function sourceText(node: ast.Node, source: string): string {
  return source.slice(node.span.start.offset, node.span.end.offset);
}

function declarationParameter(param: ast.Param, source: string): ParameterInfo {
  const type = param.type ? `: ${param.type.name}${param.type.list ? '[]' : ''}` : '';
  const fallback = param.default ? ` = ${sourceText(param.default, source)}` : '';
  return { name: param.name.name, label: `${param.name.name}${type}${fallback}`, doc: param.type ? '' : 'a tensor' };
}

/** `source` is the text of the file that declares it. */
export function declarationSignature(declaration: ast.Declaration, source: string): SignatureInfo {
  const parameters = declaration.params.map((p) => declarationParameter(p, source));
  const keyword = declaration.kind === 'BlockDecl' ? 'block' : 'model';
  return {
    name: declaration.name.name,
    label: `${keyword} ${declaration.name.name}(${parameters.map((p) => p.label).join(', ')})`,
    doc: declaration.doc ?? '',
    parameters,
  };
}
