/**
 * The GPU kit's rehearsal: builds the kit as `npm run bench:gpu:kit` does, then runs its `run.sh`
 * at the tiny size with SwiftShader as the Vulkan driver, the way it runs on a GPU machine (own
 * Node, own Vulkan loader, no node_modules). Without SwiftShader the test is skipped, except under
 * CI=true, where that is a failure.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const HAVE_SWIFTSHADER = existsSync(SWIFTSHADER_ICD);
const ON_CI = process.env.CI === 'true';
const TSX = resolve('node_modules/.bin/tsx');
// Where the kernel allows it, run.sh runs in a network namespace of its own: no network at all.
const OFFLINE = spawnSync('unshare', ['-rn', 'true']).status === 0;

interface Cell {
  id: string;
  status: string;
  reason?: string;
  firstMs?: number;
  steady?: { reps: number; median: number };
  memory?: { leakedTensors: number; peakTensorBytes?: number; gpuBytesAllocated?: number };
}
interface Backend {
  backend: string;
  finished: boolean;
  cells: Cell[];
  process: { node: string };
}
interface Report {
  schema: string;
  plan: string;
  hardwareGpu: boolean;
  adapter: { software: boolean; isFallbackAdapter?: boolean; vendor?: string; name: string; libraries: string[] };
  backends: Backend[];
  missing: unknown[];
  agreement: { backend: string; maxAbsDifference: number; maskAgreement: number }[];
}

describe.skipIf(!HAVE_SWIFTSHADER && !ON_CI)('the GPU kit rehearsal (SwiftShader)', () => {
  let scratch: string;
  let build: ReturnType<typeof spawnSync>;
  let run: ReturnType<typeof spawnSync>;
  let report: Report;

  beforeAll(() => {
    expect(HAVE_SWIFTSHADER, `CI=true needs SwiftShader at ${SWIFTSHADER_ICD}`).toBe(true);
    scratch = mkdtempSync(join(tmpdir(), 'segc-gpu-kit-test-'));
    build = spawnSync(TSX, ['bench/gpu/build-kit.ts', '--out', join(scratch, 'kit')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    // The kit runs from its own folder, with a private temporary folder and no Node on PATH.
    const env = {
      PATH: '/usr/bin:/bin',
      HOME: scratch,
      TMPDIR: join(scratch, 'tmp'),
      VK_ICD_FILENAMES: SWIFTSHADER_ICD,
    };
    spawnSync('mkdir', ['-p', env.TMPDIR]);
    const command = [
      join(scratch, 'kit/run.sh'),
      join(scratch, 'out'),
      '--plan',
      'tiny',
      '--budget',
      '100',
      '--min-reps',
      '1',
    ];
    const [program, ...args] = OFFLINE ? ['unshare', '-rn', ...command] : command;
    run = spawnSync(program!, args, { encoding: 'utf8', env, timeout: 270_000 });
    if (run.status === 0) report = JSON.parse(readFileSync(join(scratch, 'out/report.json'), 'utf8')) as Report;
  }, 420_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('builds a kit under 60 MiB, prints its size, and lists every file with its checksum', () => {
    expect(build.status, String(build.stderr)).toBe(0);
    const total = /([\d.]+) MiB {2}total in (\d+) files/.exec(String(build.stdout));
    expect(total).not.toBeNull();
    expect(Number(total![1])).toBeLessThanOrEqual(60);
    const kit = join(scratch, 'kit');
    const manifest = JSON.parse(readFileSync(join(kit, 'manifest.json'), 'utf8')) as {
      node: string;
      files: Record<string, { sha256: string }>;
    };
    expect(manifest.node).toBe(process.version);
    for (const file of [
      'run.sh',
      'node.gz',
      'bench.mjs',
      'tfjs-backend-wasm-simd.wasm',
      'node_modules/webgpu/dist/linux-x64/dawn.node.gz',
      'weights/deeplabv3plus_small/model.json',
    ]) {
      expect(
        createHash('sha256')
          .update(readFileSync(join(kit, file)))
          .digest('hex'),
        file,
      ).toBe(manifest.files[file]!.sha256);
    }
    expect(Object.keys(manifest.files).some((f) => /^debs\/libvulkan1_.*_amd64\.deb$/.test(f))).toBe(true);
  });

  it(`runs run.sh with the kit alone${OFFLINE ? ', with no network,' : ''} and cleans up its private folder`, () => {
    expect(run.status, `${String(run.stdout)}\n${String(run.stderr)}`).toBe(0);
    expect(String(run.stdout)).toContain('SOFTWARE, not a GPU');
    expect(readdirSync(join(scratch, 'tmp'))).toEqual([]);
  });

  it('refuses bad arguments with usage and exit status 2', () => {
    for (const args of [
      [],
      [join(scratch, 'bad'), '--plan', 'huge'],
      [join(scratch, 'bad'), '--budget', '5'],
      [join(scratch, 'bad'), '--min-reps', '0'],
    ]) {
      const result = spawnSync(join(scratch, 'kit/run.sh'), args, { encoding: 'utf8' });
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/usage: run\.sh|must be/);
    }
  });

  it("flags SwiftShader as a software adapter, loaded through the kit's own Vulkan loader", () => {
    expect(report.schema).toBe('segc-gpu-bench/1');
    expect(report.hardwareGpu).toBe(false);
    expect(report.adapter).toMatchObject({ vendor: 'google', software: true, isFallbackAdapter: true });
    // The loader run.sh unpacked into its work folder (named `<kit>/...` in the report), not the system's.
    expect(
      report.adapter.libraries.some((path) => path.startsWith('<kit>/vulkan/') && /libvulkan\.so\.1/.test(path)),
    ).toBe(true);
    expect(report.adapter.libraries.every((path) => !path.startsWith(join(scratch, 'tmp')))).toBe(true);
    expect(report.adapter.libraries.some((path) => /swiftshader/.test(path))).toBe(true);
  });

  it('measures every backend: first run apart, steady repetitions, memory, no leaked tensors', () => {
    expect(report.missing).toEqual([]);
    expect(report.backends.map((b) => b.backend)).toEqual(['webgpu', 'wasm', 'cpu']);
    for (const backend of report.backends) {
      expect(backend.finished, backend.backend).toBe(true);
      expect(backend.process.node).toBe(process.version);
      // A cell may be skipped for time on a loaded machine, with the prediction as the reason; never failed.
      for (const cell of backend.cells) {
        expect(['ok', 'skipped'], `${backend.backend} ${cell.id}: ${cell.reason}`).toContain(cell.status);
        if (cell.status === 'skipped') expect(cell.reason).toMatch(/^predicted [\d.]+ s per steady run/);
        if (cell.status === 'ok') {
          expect(cell.firstMs).toBeGreaterThan(0);
          expect(cell.steady!.reps).toBeGreaterThanOrEqual(1);
          expect(cell.memory!.leakedTensors, `${backend.backend} ${cell.id}`).toBe(0);
        }
      }
      expect(backend.cells[0]!.status, `${backend.backend}: the cheapest cell always runs`).toBe('ok');
    }
    const [webgpu, wasm] = report.backends;
    expect(webgpu!.cells[0]!.memory!.gpuBytesAllocated).toBeGreaterThan(0);
    for (const cell of wasm!.cells) {
      expect(cell.status).toBe('ok');
      expect(cell.steady!.reps).toBeGreaterThanOrEqual(3);
      expect(cell.memory!.peakTensorBytes).toBeGreaterThan(0);
    }
  });

  it('agrees with the cpu backend on the trained small DeepLabv3+', () => {
    expect(report.agreement.map((a) => a.backend)).toEqual(['webgpu', 'wasm']);
    for (const a of report.agreement) {
      expect(a.maxAbsDifference, a.backend).toBeLessThan(1e-3);
      expect(a.maskAgreement, a.backend).toBe(1);
    }
  });
});

describe('the GPU kit bench on a machine without a WebGPU adapter', () => {
  it('writes a report saying WebGPU is unavailable, and exits with status 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'segc-gpu-bench-'));
    try {
      const out = join(dir, 'webgpu.json');
      const args = [
        'bench/gpu/main.ts',
        'measure',
        '--backend',
        'webgpu',
        '--plan',
        'tiny',
        '--root',
        '.',
        '--out',
        out,
        '--budget',
        '20',
      ];
      // An ICD file that does not exist hides every Vulkan driver, SwiftShader included.
      const result = spawnSync(TSX, args, {
        encoding: 'utf8',
        env: { ...process.env, VK_ICD_FILENAMES: join(dir, 'no-such-icd.json') },
        timeout: 60_000,
      });
      expect(result.status, result.stderr).toBe(1);
      expect(result.stderr).toContain('webgpu: unavailable: no WebGPU adapter (');
      const report = JSON.parse(readFileSync(out, 'utf8')) as Backend & { unavailable: string };
      expect(report.unavailable).toMatch(/^no WebGPU adapter \(/);
      expect(report.finished).toBe(true);
      expect(report.cells.map((c) => [c.status, c.reason])).toEqual(
        report.cells.map(() => ['skipped', 'webgpu is unavailable']),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown backend with usage and exit status 2', () => {
    const result = spawnSync(
      TSX,
      ['bench/gpu/main.ts', 'measure', '--backend', 'tpu', '--root', '.', '--out', 'x.json'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^--backend must be webgpu, wasm or cpu\nusage: bench\.mjs measure/);
  });
});
