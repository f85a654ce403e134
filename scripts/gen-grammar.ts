/**
 * Writes the artefacts generated from the grammar. Run after any change to the parser or the
 * tokens: `npx tsx scripts/gen-grammar.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grammarArtifacts } from './grammar-artifacts.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

for (const [path, content] of grammarArtifacts()) {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  console.log(`wrote ${path}`);
}
