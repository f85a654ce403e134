/** Compiling a file from the command line: shared options (--model, --param, --input). */
import { type CompileOptions, type CompileResult, compile } from '../compiler/compile.js';
import { nodeHost } from '../compiler/node-host.js';
import type { Value } from '../ir/values.js';
import { type Parsed, UsageError, parseParams, parseSize } from './args.js';

export function compileFromArgs(file: string, parsed: Parsed, extra: CompileOptions = {}): CompileResult {
  const params = Object.fromEntries(Object.entries(parseParams(parsed.values.param as string[] | undefined)).map(([k, v]) => [k, toValue(v, k)]));
  const inputSize = parseSize(parsed.values.input as string | undefined);
  return compile(file, nodeHost(), {
    ...(parsed.values.model ? { model: parsed.values.model as string } : {}),
    params,
    ...(inputSize ? { inputSize } : {}),
    ...extra,
  });
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
  if (parsed.positionals.length > max) throw new UsageError(`${command} takes ${max === 1 ? 'one file' : `at most ${max} files`}`);
  return parsed.positionals;
}
