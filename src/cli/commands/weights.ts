/**
 * `segc weights migrate MODEL.seg --weights OLD -o NEW [--map OLD=NEW]... [--dry-run] [--json]`:
 * writes weights saved before a `let` or block call was renamed under the model's current
 * names (see `runtime/node/weights-migrate.ts`), and prints the mapping.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../runtime/backend.js';
import { migrateWeights } from '../../runtime/node/weights-migrate.js';
import { layerStructure } from '../../runtime/weights-rename.js';
import { type Parsed, UsageError } from '../args.js';
import { requireFiles } from '../compile-file.js';
import type { Io } from '../io.js';
import { compileOneModel, requireOption } from './train.js';

export function unknownAction(parsed: Parsed): never {
  const action = parsed.positionals[0];
  throw new UsageError(`weights needs an action: migrate${action ? `, got \`${action}\`` : ''}`);
}

/** `--map old=new` pairs of layer names. */
function mapOption(parsed: Parsed): Map<string, string> {
  const values = parsed.values.map;
  const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
  return new Map(
    list.map((value) => {
      const text = String(value);
      const cut = text.indexOf('=');
      if (cut <= 0 || cut === text.length - 1)
        throw new UsageError(`--map takes OLD=NEW layer names (e.g. features/bn=trunk/bn), got \`${text}\``);
      return [text.slice(0, cut), text.slice(cut + 1)];
    }),
  );
}

export async function migrate(parsed: Parsed, io: Io): Promise<number> {
  const [file] = requireFiles(parsed, 'weights migrate', 1);
  const from = requireOption(parsed, 'weights', 'weights migrate');
  const dryRun = parsed.values['dry-run'] === true;
  const to = dryRun ? String(parsed.values.output ?? '') : requireOption(parsed, 'output', 'weights migrate');
  const map = mapOption(parsed);
  const compiled = compileOneModel(file!, parsed, io, 'weights migrate');
  if (!compiled) return 1;
  // Weights are only decoded and copied: the cpu backend is enough, and production mode keeps
  // tfjs's banner off stderr.
  tf.env().set('PROD', true);
  await selectBackend('cpu');
  const result = await migrateWeights(from, to, compiled.graph, { map, dryRun, model: compiled.graph.model });
  if (parsed.values.json === true) {
    io.out(
      JSON.stringify({
        renames: result.renames.map((r) => ({ from: r.from, to: r.to, weights: r.weights })),
        written: result.written ? to : null,
      }),
    );
    return 0;
  }
  for (const r of result.renames) io.out(`renamed: ${r.from} → ${r.to} (${layerStructure(r.weights)})`);
  if (result.renames.length === 0) io.out(`${from} already uses the names of ${file}; nothing to migrate`);
  else if (result.written) io.out(`wrote ${from} under the new names to ${to}`);
  else io.out(`dry run: ${result.renames.length} layer(s) would move; nothing written`);
  return 0;
}
