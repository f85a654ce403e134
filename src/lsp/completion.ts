/**
 * Completion and signature help. While a call is being typed the file often does not parse, so
 * the call around the cursor is found in the text (the innermost unclosed parenthesis and the
 * name before it); names in scope come from the last parse that got that far.
 */
import { BUILTINS } from '../ir/builtins.js';
import { OPS, findOp } from '../ops/registry.js';
import type { Analysis } from './analysis.js';
import { type SignatureInfo, declarationSignature, opSignature } from './describe.js';
import { KEYWORD_WORDS } from './navigation.js';
import { occurrences } from './symbols.js';

/** LSP CompletionItemKind values used here. */
const KIND = { function: 3, variable: 6, class: 7, property: 10, keyword: 14, enumMember: 20 } as const;

export interface CompletionEntry {
  readonly label: string;
  readonly kind: number;
  readonly detail?: string;
  readonly documentation?: string;
  readonly insertText?: string;
  readonly sortText?: string;
}

interface CallContext {
  readonly callee: string;
  /** Arguments before the cursor's, counting the piped tensor of a pipeline stage. */
  readonly index: number;
  /** The name of the argument being typed, when written `name: ...`. */
  readonly named?: string;
  /** Names of the arguments already given by name. */
  readonly given: readonly string[];
}

/** The call whose argument list holds the offset, read from the text. */
export function callContext(text: string, offset: number): CallContext | undefined {
  let depth = 0;
  let commas = 0;
  for (let i = offset - 1; i >= 0; i--) {
    const c = text[i]!;
    if (c === ')' || c === ']') depth++;
    else if ((c === '[' || c === '{') && depth === 0) return undefined;
    else if (c === '(' || c === '[') depth--;
    else if (c === ',' && depth === 0) commas++;
    if (depth < 0) {
      const callee = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(text.slice(0, i))?.[1];
      if (!callee) return undefined;
      const before = text.slice(0, i - callee.length).trimEnd();
      const argsText = text.slice(i + 1, offset);
      const current = argsText.slice(argsText.lastIndexOf(',') + 1);
      const named = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(current)?.[1];
      const given = [...argsText.matchAll(/(?:^|,)\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/g)].map((m) => m[1]!);
      return { callee, index: commas + (before.endsWith('->') ? 1 : 0), ...(named ? { named } : {}), given };
    }
  }
  return undefined;
}

function signatureOf(analysis: Analysis, callee: string): SignatureInfo | undefined {
  const op = findOp(callee);
  if (op) return opSignature(op);
  const ref = analysis.module?.scope.get(callee);
  return ref ? declarationSignature(ref.declaration, analysis.program.sources.get(ref.module) ?? '') : undefined;
}

export interface SignatureHelpResult {
  readonly signature: SignatureInfo;
  readonly activeParameter: number;
}

export function signatureHelp(analysis: Analysis, offset: number): SignatureHelpResult | undefined {
  const context = callContext(analysis.text, offset);
  const signature = context ? signatureOf(analysis, context.callee) : undefined;
  if (!context || !signature) return undefined;
  const named = context.named ? signature.parameters.findIndex((p) => p.name === context.named) : -1;
  return { signature, activeParameter: named >= 0 ? named : Math.min(context.index, signature.parameters.length - 1) };
}

export function completions(analysis: Analysis, offset: number): CompletionEntry[] {
  const context = callContext(analysis.text, offset);
  const before = analysis.text
    .slice(0, offset)
    .replace(/[A-Za-z0-9_]*$/, '')
    .trimEnd();
  if (before.endsWith('->')) return callables(analysis);
  const items: CompletionEntry[] = [];
  if (context) items.push(...argumentItems(analysis, context));
  items.push(...namesInScope(analysis, offset), ...callables(analysis));
  if (!context)
    items.push(...[...KEYWORD_WORDS].map((word) => ({ label: word, kind: KIND.keyword, sortText: `9${word}` })));
  return items;
}

function callables(analysis: Analysis): CompletionEntry[] {
  const ops = OPS.map((op) => ({
    label: op.name,
    kind: KIND.function,
    detail: opSignature(op).label,
    documentation: op.summary,
    sortText: `2${op.name}`,
  }));
  const blocks = [...(analysis.module?.scope ?? new Map()).values()].map((ref) => {
    const signature = declarationSignature(ref.declaration, analysis.program.sources.get(ref.module) ?? '');
    return {
      label: signature.name,
      kind: KIND.class,
      detail: signature.label,
      documentation: signature.doc,
      sortText: `1${signature.name}`,
    };
  });
  const builtins = BUILTINS.map((b) => ({
    label: b.name,
    kind: KIND.function,
    detail: b.signature,
    sortText: `3${b.name}`,
  }));
  return [...blocks, ...ops, ...builtins];
}

/** `dilation: int = 1` for each argument not given yet; enum values for the one being typed. */
function argumentItems(analysis: Analysis, context: CallContext): CompletionEntry[] {
  const op = findOp(context.callee);
  if (context.named && op) {
    const type = op.params.find((p) => p.name === context.named)?.type;
    if (type && typeof type !== 'string')
      return type.enum.map((value) => ({ label: value, kind: KIND.enumMember, sortText: `0${value}` }));
  }
  const signature = signatureOf(analysis, context.callee);
  if (!signature || context.named) return [];
  const tensors = new Set(
    op?.params.filter((p) => p.type === 'tensor' || p.type === 'tensors').map((p) => p.name) ?? [],
  );
  return signature.parameters
    .filter((p) => !context.given.includes(p.name) && !tensors.has(p.name) && p.doc !== 'a tensor')
    .map((p) => ({
      label: `${p.name}:`,
      kind: KIND.property,
      detail: p.label,
      documentation: p.doc,
      insertText: `${p.name}: `,
      sortText: `0${p.name}`,
    }));
}

/** Parameters, inputs, size symbols and `let`s of the declaration around the offset, defined before it. */
function namesInScope(analysis: Analysis, offset: number): CompletionEntry[] {
  if (!analysis.module) return [];
  const seen = new Set<string>();
  const items: CompletionEntry[] = [];
  for (const o of occurrences(analysis.module)) {
    const declaration = o.declaration;
    if (!o.defines || o.target?.kind !== 'binding' || o.target.binding === 'output' || !declaration) continue;
    if (
      offset < declaration.span.start.offset ||
      offset > declaration.span.end.offset ||
      o.span.end.offset > offset ||
      seen.has(o.name)
    )
      continue;
    seen.add(o.name);
    items.push({ label: o.name, kind: KIND.variable, detail: o.target.binding, sortText: `0${o.name}` });
  }
  return items;
}
