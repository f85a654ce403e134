/**
 * What `segc check` loads. The command line is bundled as `npm run build` bundles it
 * (scripts/bundle-cli.ts), into a temporary copy of the package layout, and run in a child
 * process whose module hooks record every file it loads (ES modules through a `load` hook,
 * CommonJS through `require.cache` at exit). esbuild's metafile then says which sources the
 * loaded chunks hold. `check` must not evaluate tfjs or any other tensor, model-format or image
 * library: they cost more start-up time than the whole check. `run` in the same harness is the
 * control that shows the hooks do see tfjs-core when it loads.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../../scripts/bundle-cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Packages no check needs: tensors, backends, ONNX, images, the TypeScript compiler, Graphviz. */
const HEAVY_PACKAGE =
  /node_modules\/(@tensorflow|onnx|onnxruntime-[a-z]+|protobufjs|sharp|pngjs|jpeg-js|ts-morph|typescript|webgpu|@hpcc-js)\//;

/** Source folders that run models, train, explain, export or serve: none belongs on the check path. */
const RUNTIME_SOURCES = /^src\/(runtime|onnx|train|explain|data|metrics|codegen|import|web|lsp)\//;

/** The few src/runtime files with no tensor code that the command line shares: error codes, atomic writes. */
const PLAIN_RUNTIME_FILES = new Set(['src/runtime/codes.ts', 'src/runtime/errors.ts', 'src/runtime/node/fs-atomic.ts']);

const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.SEGC_LOADED, url + '\\n');
  return next(url, context);
}
`;

const REGISTER = `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
register('./hooks.mjs', import.meta.url);
const require = createRequire(import.meta.url);
process.on('exit', () => {
  for (const file of Object.keys(require.cache)) appendFileSync(process.env.SEGC_LOADED, file + '\\n');
});
`;

interface Loads {
  /** Absolute paths of the files the process loaded. */
  readonly files: string[];
  /** Sources (relative to the project) in the bundle chunks it loaded. */
  readonly sources: string[];
}

describe('what `segc check` loads', { timeout: 120_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'segc-startup-'));
  let metafile: Metafile;

  beforeAll(async () => {
    // The package layout bin/segc.js expects: bin/, dist/cli/, and package.json, std/ and node_modules beside them.
    mkdirSync(join(work, 'bin'));
    copyFileSync(join(root, 'bin', 'segc.js'), join(work, 'bin', 'segc.js'));
    copyFileSync(join(root, 'package.json'), join(work, 'package.json'));
    for (const folder of ['std', 'node_modules']) symlinkSync(join(root, folder), join(work, folder), 'dir');
    writeFileSync(join(work, 'hooks.mjs'), HOOKS);
    writeFileSync(join(work, 'register.mjs'), REGISTER);
    metafile = await bundleCli(join(work, 'dist', 'cli'));
  }, 120_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function segc(args: readonly string[]): Loads & { status: number | null; stdout: string; stderr: string } {
    const record = join(work, `loaded-${args[0]}.txt`);
    writeFileSync(record, '');
    const result = spawnSync(
      process.execPath,
      ['--import', join(work, 'register.mjs'), join(work, 'bin', 'segc.js'), ...args],
      { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', SEGC_LOADED: record }, timeout: 60_000 },
    );
    const loaded = new Set(
      readFileSync(record, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('file:') || line.startsWith('/'))
        .map((line) => (line.startsWith('file:') ? fileURLToPath(line) : line)),
    );
    const files = [...loaded];
    const sources = Object.entries(metafile.outputs)
      .filter(([output]) => loaded.has(resolve(root, output)))
      .flatMap(([, output]) => Object.keys(output.inputs));
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, files, sources };
  }

  it('checks the largest example without tfjs, ONNX, image or compiler packages, or runtime sources', () => {
    const check = segc(['check', 'examples/deeplabv3plus.seg']);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('examples/deeplabv3plus.seg: 0 errors, 0 warnings (models: DeepLabV3Plus)');
    // The hooks saw the command's own code, so the lists below are not empty for want of tracing.
    expect(check.sources).toContain('src/cli/commands/check.ts');
    expect(check.sources).toContain('src/parser/parser.ts');
    expect(check.sources).toContain('src/ops/registry.ts');
    expect(check.files.filter((file) => HEAVY_PACKAGE.test(file)).map((file) => relative(root, file))).toEqual([]);
    expect(check.sources.filter((source) => HEAVY_PACKAGE.test(source))).toEqual([]);
    const runtime = check.sources.filter((source) => RUNTIME_SOURCES.test(source) && !PLAIN_RUNTIME_FILES.has(source));
    expect(runtime).toEqual([]);
  });

  it('sees tfjs-core when a command does load it (`run`)', () => {
    const out = join(work, 'run-out');
    const run = segc([
      'run',
      'examples/gap_cam.seg',
      '--weights',
      'weights/gap_cam',
      '--image',
      'examples/images/shapes-a.png',
      '--out',
      out,
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.files.some((file) => file.includes('node_modules/@tensorflow/tfjs-core/'))).toBe(true);
    expect(run.sources).toContain('src/runtime/executor.ts');
  });
});
