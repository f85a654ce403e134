/**
 * The IR JSON of every example validates against docs/ir.schema.json, checked by a small
 * validator for the subset of JSON Schema the file uses (type, const, enum, required,
 * properties, items, oneOf, minimum, $ref).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import { writeIR } from '../../src/ir/json.js';

type Schema = Record<string, unknown>;
const ROOT = JSON.parse(readFileSync('docs/ir.schema.json', 'utf8')) as Schema;

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function validate(value: unknown, schema: Schema, path: string): string[] {
  if (typeof schema.$ref === 'string')
    return validate(value, (ROOT.$defs as Record<string, Schema>)[schema.$ref.replace('#/$defs/', '')]!, path);
  if ('const' in schema && value !== schema.const) return [`${path}: expected ${JSON.stringify(schema.const)}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    return [`${path}: ${JSON.stringify(value)} not in enum`];
  if (Array.isArray(schema.oneOf)) {
    const matches = (schema.oneOf as Schema[]).filter((s) => validate(value, s, path).length === 0).length;
    return matches === 1 ? [] : [`${path}: matches ${matches} of oneOf`];
  }
  const type = schema.type as string | undefined;
  if (type && !(typeOf(value) === type || (type === 'number' && typeOf(value) === 'integer')))
    return [`${path}: expected ${type}, got ${typeOf(value)}`];
  if (typeof schema.minimum === 'number' && (value as number) < schema.minimum)
    return [`${path}: below ${schema.minimum}`];
  const errors: string[] = [];
  if (type === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? [])
      if (!(key in object)) errors.push(`${path}: missing ${key}`);
    for (const [key, sub] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
      if (key in object) errors.push(...validate(object[key], sub, `${path}.${key}`));
    }
  }
  if (type === 'array' && schema.items)
    (value as unknown[]).forEach((item, i) => errors.push(...validate(item, schema.items as Schema, `${path}[${i}]`)));
  return errors;
}

describe('IR JSON schema', () => {
  const examples = readdirSync('examples').filter((f) => f.endsWith('.seg'));
  it.each(examples)('%s validates in source and inference mode', (file) => {
    for (const mode of ['source', 'inference'] as const) {
      const graph = compile(join('examples', file), nodeHost(), { mode }).models[0]!.graph!;
      expect(validate(JSON.parse(writeIR(graph)), ROOT, '$').slice(0, 5)).toEqual([]);
    }
  });

  it('catches a document that breaks it', () => {
    const graph = compile('examples/nin.seg', nodeHost()).models[0]!.graph!;
    const document = JSON.parse(writeIR(graph));
    document.graph.nodes[1].type.dtype = 'f16';
    delete document.graph.nodes[2].weights;
    expect(validate(document, ROOT, '$')).toEqual([
      '$.graph.nodes[1].type.dtype: "f16" not in enum',
      '$.graph.nodes[2]: missing weights',
    ]);
  });
});
