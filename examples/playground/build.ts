/**
 * Builds the playground into a folder: the page, its bundle, the language worker (the compiler
 * and the standard library) and Monaco's AMD build copied from node_modules.
 *
 *   npm run playground                            build into examples/playground/dist and serve on 127.0.0.1
 *   npx tsx examples/playground/build.ts [OUT]    build only (default examples/playground/dist)
 */
import { cpSync, copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage, PROJECT_ROOT } from '../web/bundle.js';
import { serveDirectory } from '../web/serve.js';

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
  const serve = process.argv.includes('--serve');
  const folder = process.argv.slice(2).find((a) => a !== '--serve');
  const out = await buildPlayground(resolve(folder ?? join(PLAYGROUND, 'dist')));
  console.log(`built ${out}`);
  if (serve) console.log(`serving the playground at ${(await serveDirectory(out)).url} (Ctrl-C stops)`);
}
