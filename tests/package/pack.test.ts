/**
 * segc as an app gets it: `npm pack` in a fresh copy of the project (no dist/: `prepack` builds),
 * then `npm install` of the tarball into a fresh app, and from that app the CLI, the Node API
 * in plain Node (no flags, no hooks), a module from `segc build`, and the installed types. The
 * references are the interpreter run here on the sources, and the tarball's own file list.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDirectory } from '../../examples/web/serve.js';
import { chromiumAvailable, openPage } from '../web/browser.js';
import { CONSUMER_PAGE_HTML, CONSUMER_PAGE_SCRIPT, CONSUMER_TSCONFIG, CONSUMER_TYPESCRIPT } from './consumer.js';
import { type GapCamRun, REPOSITORY, gapCamReference, relativeError } from './reference.js';
const NPM_QUIET = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

interface PageResult {
  readonly generated: { readonly classIndex: number; readonly probability: number; readonly rawValues: number[] };
  readonly interpreter: { readonly map: number[]; readonly rawValues: number[] };
  readonly tensorsLeft: number;
}

interface PackedFile {
  readonly path: string;
}

interface AppRun {
  readonly classIndex: number;
  readonly probability: number;
  readonly raw: number[];
  readonly rawValues: number[];
  readonly tensorsLeft: number;
}

function run(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

function succeed(command: string, args: readonly string[], cwd: string): string {
  const result = run(command, args, cwd);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

/**
 * The project's files as a fresh clone has them (tracked and not ignored: no dist/), with its
 * node_modules linked. Packing there proves `prepack` builds, and leaves this checkout's dist/
 * alone while other tests may use it.
 */
function freshClone(directory: string): string {
  const listed = succeed('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], REPOSITORY)
    .split('\0')
    .filter(Boolean);
  for (const path of listed) {
    if (!existsSync(join(REPOSITORY, path))) continue;
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    copyFileSync(join(REPOSITORY, path), join(directory, path));
  }
  symlinkSync(join(REPOSITORY, 'node_modules'), join(directory, 'node_modules'), 'dir');
  return directory;
}

// npm and a cold start of every command: generous limits, never a measure of speed.
describe('the packed package installed into an app', { timeout: 300_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'segc-pack-'));
  const app = join(work, 'app');
  let files: string[] = [];

  beforeAll(() => {
    const clone = freshClone(join(work, 'clone'));
    const packed = JSON.parse(succeed('npm', ['pack', '--pack-destination', work, '--json', ...NPM_QUIET], clone)) as {
      filename: string;
      files: PackedFile[];
    }[];
    files = packed[0]!.files.map((f) => f.path);
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'segc-consumer', private: true, type: 'module' }));
    succeed('npm', ['install', join(work, packed[0]!.filename), ...NPM_QUIET], app);
  }, 600_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships the build, std, bin, examples with their weights, README and LICENSE, and no tests, bench or CI files', () => {
    for (const path of [
      'bin/segc.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/node/index.js',
      'dist/node/index.d.ts',
      'dist/codegen/runtime/index.js',
      'dist/vendor/tfjs-gradients.js',
      'std/heads.seg',
      'examples/gap_cam.seg',
      'weights/gap_cam/model.json',
      'README.md',
      'LICENSE',
      'package.json',
    ]) {
      expect(files, path).toContain(path);
    }
    const unwanted = files.filter(
      (path) =>
        /^(tests|bench|scripts|src|\.ci|node_modules|examples\/(web|embed|train))\//.test(path) ||
        path.endsWith('.map'),
    );
    expect(unwanted).toEqual([]);
  });

  it('runs `npx segc check` on an example, and exits 1 with the position on a broken file', () => {
    const check = run('npx', ['segc', 'check', 'node_modules/segc/examples/deeplabv3plus.seg'], app);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain(
      'node_modules/segc/examples/deeplabv3plus.seg: 0 errors, 0 warnings (models: DeepLabV3Plus)',
    );
    writeFileSync(
      join(app, 'broken.seg'),
      'model M() {\n  input x: f32[N, 8, 8, 3]\n  output y = x -> nosuchop(4)\n}\n',
    );
    const broken = run('npx', ['segc', 'check', 'broken.seg'], app);
    expect(broken.status).toBe(1);
    expect(broken.stdout + broken.stderr).toContain(
      'broken.seg:3:19: error E0211: unknown block or operation `nosuchop`',
    );
    expect(broken.stdout + broken.stderr).not.toMatch(/\n\s+at /);
  });

  describe('from plain Node', () => {
    let expected: GapCamRun;
    let nodeRun: AppRun;

    beforeAll(async () => {
      expected = await gapCamReference();
    });

    it('compiles the bundled GapCam, loads its bundled weights, predicts and computes Grad-CAM as the interpreter does here', () => {
      copyFileSync(join(REPOSITORY, 'examples', 'embed', 'node', 'app.mjs'), join(app, 'node-app.mjs'));
      nodeRun = JSON.parse(succeed('node', ['node-app.mjs'], app)) as AppRun;
      expect(nodeRun.classIndex).toBe(expected.classIndex);
      expect(nodeRun.probability).toBeCloseTo(expected.probability, 6);
      expect(nodeRun.raw).toEqual([1, 7, 7]);
      expect(Math.max(...nodeRun.rawValues)).toBeGreaterThan(0);
      expect(relativeError(nodeRun.rawValues, expected.raw)).toBeLessThan(1e-5);
      const picture = PNG.sync.read(readFileSync(join(app, 'gap_cam-gradcam.png')));
      const digit = PNG.sync.read(readFileSync(join(REPOSITORY, 'examples', 'images', 'digit-7.png')));
      expect([picture.width, picture.height]).toEqual([digit.width, digit.height]);
      expect(nodeRun.tensorsLeft).toBe(0);
    });

    it('runs a module from `segc build`: predict exactly as the interpreter, gradCam with no extra calls', () => {
      succeed(
        'npx',
        ['segc', 'build', 'node_modules/segc/examples/gap_cam.seg', '-o', 'generated', '--target', 'js'],
        app,
      );
      copyFileSync(join(REPOSITORY, 'examples', 'embed', 'generated', 'app.mjs'), join(app, 'generated-app.mjs'));
      const generated = JSON.parse(succeed('node', ['generated-app.mjs'], app)) as AppRun;
      expect(generated.classIndex).toBe(nodeRun.classIndex);
      expect(generated.probability).toBe(nodeRun.probability);
      expect(generated.raw).toEqual([1, 7, 7]);
      // Folded batch norm and fused activations: float32 rounding only (as tests/codegen/grad-cam).
      expect(relativeError(generated.rawValues, nodeRun.rawValues)).toBeLessThan(1e-4);
      expect(generated.tensorsLeft).toBe(0);
    });

    it('bundles with Vite from the installed package: one tfjs-core, its gradients, nothing from Node', () => {
      writeFileSync(join(app, 'index.html'), CONSUMER_PAGE_HTML);
      writeFileSync(join(app, 'page.js'), CONSUMER_PAGE_SCRIPT);
      const vite = pathToFileURL(join(REPOSITORY, 'node_modules', 'vite', 'dist', 'node', 'index.js')).href;
      const script = `const { build } = await import(${JSON.stringify(vite)}); await build({ root: process.cwd(), base: './', logLevel: 'warn', build: { outDir: 'dist', target: 'es2022' } });`;
      succeed('node', ['--input-type=module', '-e', script], app);
      const assets = join(app, 'dist', 'assets');
      const bundle = readdirSync(assets)
        .filter((name) => name.endsWith('.js'))
        .map((name) => readFileSync(join(assets, name), 'utf8'))
        .join('\n');
      // Each copy of tfjs-core reads its global engine's environment once, in getOrMakeEngine.
      expect(bundle.match(/_tfengine\.ENV/g)).toHaveLength(1);
      expect((bundle.match(/gradFunc/g) ?? []).length).toBeGreaterThan(100);
      expect(bundle).not.toMatch(/from\s*["']node:|require\(["']node:/);
    });

    it.runIf(chromiumAvailable())(
      'runs that bundle in headless chromium: the built module and the interpreter as in Node, no leaks',
      async () => {
        const dist = join(app, 'dist');
        cpSync(join(app, 'node_modules', 'segc', 'weights', 'gap_cam'), join(dist, 'weights', 'gap_cam'), {
          recursive: true,
        });
        copyFileSync(join(app, 'node_modules', 'segc', 'examples', 'images', 'digit-7.png'), join(dist, 'digit-7.png'));
        copyFileSync(join(app, 'node_modules', 'segc', 'examples', 'gap_cam.seg'), join(dist, 'gap_cam.seg'));
        copyFileSync(join(app, 'node_modules', 'segc', 'std', 'heads.seg'), join(dist, 'heads.seg'));
        const server = await serveDirectory(dist);
        const session = await openPage(server.url, false);
        try {
          await session.page.waitForFunction(() => (window as { result?: unknown }).result !== undefined);
          const page = await session.page.evaluate(() => (window as unknown as { result: Promise<PageResult> }).result);
          expect(session.problems).toEqual([]);
          expect(page.generated.classIndex).toBe(nodeRun.classIndex);
          expect(page.generated.probability).toBeCloseTo(nodeRun.probability, 6);
          expect(relativeError(page.generated.rawValues, nodeRun.rawValues)).toBeLessThan(1e-4);
          expect(page.interpreter.map).toEqual([1, 28, 28]);
          expect(relativeError(page.interpreter.rawValues, nodeRun.rawValues)).toBeLessThan(1e-5);
          expect(page.tensorsLeft).toBe(0);
        } finally {
          await session.close();
          await server.close();
        }
      },
    );

    it('type-checks an app against the installed declarations of segc, segc/node, segc/runtime and the module', () => {
      writeFileSync(join(app, 'tsconfig.json'), CONSUMER_TSCONFIG);
      writeFileSync(join(app, 'consumer.ts'), CONSUMER_TYPESCRIPT);
      const tsc = run(
        'node',
        [join(REPOSITORY, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
        app,
      );
      expect(tsc.stdout + tsc.stderr).toBe('');
      expect(tsc.status).toBe(0);
    });
  });
});
