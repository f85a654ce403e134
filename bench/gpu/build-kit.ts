/**
 * Builds the GPU benchmark kit: one folder with everything `run.sh` needs on a machine that has a
 * GPU driver but no Node, no npm and no network.
 *
 *   npm run bench:gpu:kit [-- --out DIR]        (default out/gpu-kit, git-ignored)
 *
 * The folder holds this Node binary (gzip: every base system has gzip, not always xz), the bench
 * bundled by esbuild into `bench.mjs` with tfjs's wasm binaries beside it, the `webgpu` package
 * with its Dawn module (gzip), Debian's `libvulkan1` package (`apt-get download`; `run.sh`
 * unpacks it with `dpkg -x` into a private folder), the `.seg` sources, the trained small
 * DeepLabv3+ weights and image for the agreement check, and a manifest with checksums. It prints
 * every file's size and fails above 60 MiB (the GPU machines take 64 MiB).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LIMIT_BYTES = 60 * 2 ** 20;
const DAWN = join('node_modules', 'webgpu', 'dist', 'linux-x64', 'dawn.node');
const SOURCES = [
  'examples/deeplabv3plus.seg',
  'examples/deeplabv3plus_small.seg',
  'examples/resnet50.seg',
  'std',
  'weights/deeplabv3plus_small',
  'examples/images/shapes-a.png',
];

// The bundle is an ES module; tfjs's wasm glue and Dawn's loader still use require and __dirname.
const BANNER = [
  "import { createRequire as segcCreateRequire } from 'node:module';",
  "import { fileURLToPath as segcFileURLToPath } from 'node:url';",
  "import { dirname as segcDirname } from 'node:path';",
  'const require = segcCreateRequire(import.meta.url);',
  'const __filename = segcFileURLToPath(import.meta.url);',
  'const __dirname = segcDirname(__filename);',
].join(' ');

async function bundle(kit: string): Promise<void> {
  await build({
    entryPoints: [join(ROOT, 'bench/gpu/main.ts')],
    outfile: join(kit, 'bench.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: BANNER },
    // One copy of tfjs-core: its ES build, which also holds the gradient definitions.
    mainFields: ['module', 'main'],
    // Dawn is a native module; the kit ships the package beside the bundle.
    external: ['webgpu'],
  });
  const wasmDir = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const file of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')))
    copyFileSync(join(wasmDir, file), join(kit, file));
}

function gzipFile(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, gzipSync(readFileSync(from), { level: 9 }));
}

function copyWebgpu(kit: string): void {
  const target = join(kit, 'node_modules/webgpu');
  mkdirSync(target, { recursive: true });
  for (const file of ['package.json', 'index.js', 'LICENSE.md'])
    copyFileSync(join(ROOT, 'node_modules/webgpu', file), join(target, file));
  gzipFile(join(ROOT, DAWN), join(kit, `${DAWN}.gz`));
}

/**
 * Debian's Vulkan loader: `apt-get download` into the kit cache (out/gpu-kit-cache) the first
 * time, so that rebuilding the kit needs no network; offline, apt's own archive folder may have it.
 */
function vulkanLoader(kit: string): string {
  const cache = join(ROOT, 'out/gpu-kit-cache');
  mkdirSync(cache, { recursive: true });
  const find = (dir: string) =>
    existsSync(dir) ? readdirSync(dir).find((f) => /^libvulkan1_.*_amd64\.deb$/.test(f)) : undefined;
  if (!find(cache)) {
    try {
      execFileSync('apt-get', ['download', 'libvulkan1'], { cwd: cache, stdio: ['ignore', 'ignore', 'inherit'] });
    } catch (error) {
      const archived = find('/var/cache/apt/archives');
      if (!archived) throw error;
      copyFileSync(join('/var/cache/apt/archives', archived), join(cache, archived));
    }
  }
  const deb = find(cache);
  if (!deb) throw new Error('apt-get download libvulkan1 left no .deb');
  mkdirSync(join(kit, 'debs'), { recursive: true });
  copyFileSync(join(cache, deb), join(kit, 'debs', deb));
  return deb;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function nodeVersion(): string {
  return execFileSync(process.execPath, ['--version'], { encoding: 'utf8' }).trim();
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: join(ROOT, 'out/gpu-kit') } } });
  const kit = resolve(values.out!);
  rmSync(kit, { recursive: true, force: true });
  mkdirSync(kit, { recursive: true });
  await bundle(kit);
  copyWebgpu(kit);
  gzipFile(process.execPath, join(kit, 'node.gz'));
  const deb = vulkanLoader(kit);
  for (const source of SOURCES) cpSync(join(ROOT, source), join(kit, source), { recursive: true });
  copyFileSync(join(ROOT, 'bench/gpu/run.sh'), join(kit, 'run.sh'));
  chmodSync(join(kit, 'run.sh'), 0o755);
  const files = walk(kit).sort();
  const manifest = {
    builtAt: new Date().toISOString(),
    commit: gitCommit() ?? null,
    node: nodeVersion(),
    vulkanLoader: deb,
    files: Object.fromEntries(
      files.map((f) => [
        relative(kit, f),
        { bytes: statSync(f).size, sha256: createHash('sha256').update(readFileSync(f)).digest('hex') },
      ]),
    ),
  };
  writeFileSync(join(kit, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const sizes = walk(kit)
    .map((f) => [relative(kit, f), statSync(f).size] as const)
    .sort((a, b) => b[1] - a[1]);
  const total = sizes.reduce((sum, [, bytes]) => sum + bytes, 0);
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  for (const [file, bytes] of sizes.slice(0, 8)) console.log(`${mib(bytes).padStart(12)}  ${file}`);
  console.log(`${mib(total).padStart(12)}  total in ${sizes.length} files: ${kit} (limit ${mib(LIMIT_BYTES)})`);
  console.log(`Node ${manifest.node}, ${deb}; run there: ${basename(kit)}/run.sh OUT_DIR`);
  if (total > LIMIT_BYTES) {
    console.error(`the kit is ${mib(total)}, over the ${mib(LIMIT_BYTES)} limit`);
    process.exit(1);
  }
}

await main();
