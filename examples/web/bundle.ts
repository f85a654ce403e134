/**
 * The browser bundle of the demo page, built with esbuild. Two plugins: one serves the `.seg`
 * texts the page compiles (the entry model and the whole standard library) as a virtual module,
 * and one guards the browser: an import that only works in Node makes the build fail, naming the
 * importing file, instead of producing a bundle that breaks when it loads.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

export const PAGE_DIRECTORY = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = resolve(PAGE_DIRECTORY, '..', '..');
export const SOURCES_MODULE = 'segc:bundled-sources';
export const DEFAULT_MODEL_FILE = 'examples/deeplabv3plus_small.seg';

/** Packages that exist for Node only (image codecs on Buffer, Dawn, the build and test tools). */
const NODE_ONLY_PACKAGES = ['pngjs', 'jpeg-js', 'webgpu', 'playwright-core', 'esbuild', 'ts-morph', 'vitest'];
const BUILTINS = new Set(builtinModules);

/** Project files that use Node: the Node halves of the runtime, data and training, the CLI, the disk host. */
const NODE_ONLY_PROJECT_PATHS = [/\/src\/(?:.+\/)?node\//, /\/src\/cli\//, /\/src\/compiler\/node-host\.[jt]s$/];

export interface BundleOptions {
  readonly entryPoint: string;
  readonly outFile: string;
  /** The model file the page compiles, relative to the project root. */
  readonly modelFile?: string;
  readonly minify?: boolean;
}

export interface BundleReport {
  readonly outFile: string;
  readonly bytes: number;
  /** Every input file esbuild read, relative to the project root. */
  readonly inputs: readonly string[];
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(packageName(specifier));
}

function projectPath(path: string): string {
  return relative(PROJECT_ROOT, path).split(sep).join('/');
}

/** Why an import may not reach the browser, or undefined when it may. */
export function nodeOnlyReason(specifier: string, importer: string, resolveDirectory: string): string | undefined {
  const inPackages = importer.includes(`${sep}node_modules${sep}`);
  if (isBuiltin(specifier) && !inPackages) return `the Node built-in module \`${specifier}\``;
  if (NODE_ONLY_PACKAGES.includes(packageName(specifier))) return `the Node-only package \`${packageName(specifier)}\``;
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(resolveDirectory, specifier).split(sep).join('/');
  return NODE_ONLY_PROJECT_PATHS.some((pattern) => pattern.test(target))
    ? `the Node-only module ${projectPath(target)}`
    : undefined;
}

/** Fails the build on any import a browser cannot satisfy; esbuild reports where it was made. */
export const browserGuard: Plugin = {
  name: 'segc-browser-guard',
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const reason = nodeOnlyReason(args.path, args.importer, args.resolveDir);
      if (!reason) return undefined;
      return {
        errors: [
          {
            text: `${projectPath(args.importer)} imports ${reason}, which cannot run in a browser`,
            detail: 'keep Node-only code out of what the page imports',
          },
        ],
      };
    });
  },
};

/** `{ entry, files }` for src/web's `BundledSources`: the model file and every `std/*.seg`. */
export function bundledSources(modelFile: string): { entry: string; files: Record<string, string> } {
  const files: Record<string, string> = {};
  for (const name of readdirSync(join(PROJECT_ROOT, 'std'))
    .filter((file) => file.endsWith('.seg'))
    .sort()) {
    files[`std/${name}`] = readFileSync(join(PROJECT_ROOT, 'std', name), 'utf8');
  }
  files[modelFile] = readFileSync(join(PROJECT_ROOT, modelFile), 'utf8');
  return { entry: modelFile, files };
}

function sourcesPlugin(modelFile: string): Plugin {
  return {
    name: 'segc-bundled-sources',
    setup(builder) {
      builder.onResolve({ filter: new RegExp(`^${SOURCES_MODULE}$`) }, () => ({
        path: SOURCES_MODULE,
        namespace: 'segc-sources',
      }));
      builder.onLoad({ filter: /.*/, namespace: 'segc-sources' }, () => ({
        contents: `export const sources = ${JSON.stringify(bundledSources(modelFile))};`,
        loader: 'js',
      }));
    },
  };
}

/** Input files that must never be in a browser bundle, found in esbuild's record of what it read. */
function nodeOnlyInputs(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).filter((input) => {
    const path = `/${input.split(sep).join('/')}`;
    return (
      NODE_ONLY_PACKAGES.some((name) => path.includes(`/node_modules/${name}/`)) ||
      NODE_ONLY_PROJECT_PATHS.some((pattern) => pattern.test(path))
    );
  });
}

/** Bundles the page for browsers (ES2022 modules); throws esbuild's error when the guard refuses an import. */
export async function bundlePage(options: BundleOptions): Promise<BundleReport> {
  const result = await build({
    entryPoints: [options.entryPoint],
    outfile: options.outFile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: PROJECT_ROOT,
    plugins: [browserGuard, sourcesPlugin(options.modelFile ?? DEFAULT_MODEL_FILE)],
  });
  const forbidden = nodeOnlyInputs(result.metafile);
  if (forbidden.length > 0) throw new Error(`the browser bundle reached Node-only files: ${forbidden.join(', ')}`);
  return {
    outFile: options.outFile,
    bytes: statSync(options.outFile).size,
    inputs: Object.keys(result.metafile.inputs),
  };
}
