/**
 * Writes src/codegen/pytorch/python-sources.ts from the Python files in
 * src/codegen/pytorch/python/, so that `segc build --target pytorch` can write them beside a
 * generated module without reading files at run time (the compiled package holds no .py files).
 * Run after changing them: `npx tsx scripts/gen-pytorch-runtime.ts`. A test fails while the
 * committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON_FOLDER = 'src/codegen/pytorch/python';
export const PYTHON_SOURCES_PATH = 'src/codegen/pytorch/python-sources.ts';
export const PYTHON_FILES = ['segc_torch.py', 'segc_train.py'] as const;

export function pythonSourcesModule(root: string): string {
  const entries = PYTHON_FILES.map(
    (name) => `  ${JSON.stringify(name)}: ${JSON.stringify(readFileSync(join(root, PYTHON_FOLDER, name), 'utf8'))},`,
  );
  return [
    '/**',
    ' * The Python runtime written beside every PyTorch module, by file name. Generated from',
    ` * ${PYTHON_FOLDER}/ by scripts/gen-pytorch-runtime.ts; edit the .py files, not this one.`,
    ' */',
    'export const PYTHON_SOURCES: Readonly<Record<string, string>> = {',
    ...entries,
    '};',
    '',
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  writeFileSync(join(root, PYTHON_SOURCES_PATH), pythonSourcesModule(root));
  console.log(`wrote ${PYTHON_SOURCES_PATH}`);
}
