/**
 * Builds the playground into a folder: the page, its bundle, the language worker (the compiler
 * and the standard library) and Monaco's AMD build copied from node_modules.
 *
 *   npx tsx examples/playground/build.ts [OUT]     (default examples/playground/dist; prints the folder)
 */
import { cpSync, copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage, PROJECT_ROOT } from '../web/bundle.js';

const PLAYGROUND = dirname(fileURLToPath(import.meta.url));
/** The file the editor opens with. */
export const START_FILE = 'examples/gap_cam.seg';

export async function buildPlayground(out: string): Promise<string> {
  mkdirSync(out, { recursive: true });
  copyFileSync(join(PLAYGROUND, 'index.html'), join(out, 'index.html'));
  cpSync(join(PROJECT_ROOT, 'node_modules', 'monaco-editor', 'min', 'vs'), join(out, 'vs'), { recursive: true });
  for (const name of ['main', 'worker']) {
    await bundlePage({ entryPoint: join(PLAYGROUND, `${name}.ts`), outFile: join(out, `${name}.js`), modelFile: START_FILE });
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await buildPlayground(resolve(process.argv[2] ?? join(PLAYGROUND, 'dist'))));
}
