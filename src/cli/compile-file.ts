/** Compiling a file from the command line: shared options (--model, --param, --input). */
import { type CompileOptions, type CompileResult, compile } from '../compiler/compile.js';
import { nodeHost } from '../compiler/node-host.js';
import type { Graph } from '../ir/graph.js';
import type { Value } from '../ir/values.js';
import { type Parsed, UsageError, parseParams, parseSize } from './args.js';

export function compileFromArgs(file: string, parsed: Parsed, extra: CompileOptions = {}): CompileResult {
  const params = Object.fromEntries(
    Object.entries(parseParams(parsed.values.param as string[] | undefined)).map(([k, v]) => [k, toValue(v, k)]),
  );
  const inputSize = parseSize(parsed.values.input as string | undefined);
  const result = compile(file, nodeHost(), {
    ...(parsed.values.model ? { model: parsed.values.model as string } : {}),
    params,
    ...(inputSize ? { inputSize } : {}),
    ...extra,
  });
  if (inputSize) for (const model of result.models) refuseIgnoredInput(model.graph, inputSize);
  return result;
}

/** `--input` sets symbolic sizes only; on a model whose input is fixed it would be silently ignored. */
function refuseIgnoredInput(graph: Graph | undefined, [height, width]: [number, number]): void {
  const input = graph?.inputs[0];
  if (!graph || !input) return;
  const dims = graph.nodes[input.node]!.type.shape.slice(1, 3);
  const fixed = dims.map((d) => (d.kind === 'const' ? d.value : undefined));
  if ((fixed[0] !== undefined && fixed[0] !== height) || (fixed[1] !== undefined && fixed[1] !== width)) {
    const shown = dims.map((d, i) => fixed[i] ?? (d.kind === 'sym' ? d.name : '?')).join('×');
    throw new UsageError(
      `--input ${height},${width} does not apply: model ${graph.model} takes a fixed ${shown} input`,
    );
  }
}

function toValue(value: unknown, name: string): Value {
  if (typeof value === 'number') return Number.isInteger(value) ? { kind: 'int', value } : { kind: 'float', value };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (typeof value === 'string') return { kind: 'string', value };
  if (Array.isArray(value)) return { kind: 'list', items: value.map((v) => toValue(v, name)) };
  throw new UsageError(`--param ${name}: unsupported value ${JSON.stringify(value)}`);
}

export function requireFiles(parsed: Parsed, command: string, max = Infinity): string[] {
  if (parsed.positionals.length === 0) throw new UsageError(`${command} needs a .seg file`);
  if (parsed.positionals.length > max)
    throw new UsageError(`${command} takes ${max === 1 ? 'one file' : `at most ${max} files`}`);
  return parsed.positionals;
}
