/**
 * `--backend auto` when onnxruntime-node cannot be resolved (its import fails as it does where
 * the optional package is not installed): the commands keep today's tfjs choice and the backend
 * line says why; `--backend onnx` says how to add the package.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { backendLines, segc } from './auto-helpers.js';

vi.mock('onnxruntime-node', () => {
  throw Object.assign(new Error("Cannot find package 'onnxruntime-node'"), { code: 'ERR_MODULE_NOT_FOUND' });
});

const directory = mkdtempSync(join(tmpdir(), 'segc-onnx-missing-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const MODEL = ['examples/gap_cam.seg', '--weights', 'weights/gap_cam'];

describe('--backend auto without onnxruntime-node', () => {
  it.each([
    ['run', []],
    ['explain', ['--method', 'gradcam']],
  ])('segc %s keeps the tfjs choice and says why', async (command, extra) => {
    const result = await segc(
      command,
      ...MODEL,
      '--image',
      'examples/images/digit-7.png',
      '--out',
      join(directory, command),
      ...extra,
    );
    expect(result.code, result.err).toBe(0);
    const lines = backendLines(result.err);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^backend: (wasm|cpu|webgpu)\b.* — auto: .* \(not onnx: onnxruntime-node is not installed\)$/,
    );
  });

  it('--backend onnx says how to add the package', async () => {
    const result = await segc(
      'run',
      ...MODEL,
      '--image',
      'examples/images/digit-7.png',
      '--out',
      join(directory, 'onnx'),
      '--backend',
      'onnx',
    );
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'ONNX Runtime is not installed: the onnx executor needs the optional package onnxruntime-node',
    );
    expect(result.err).toContain('npm install onnxruntime-node');
  });
});
