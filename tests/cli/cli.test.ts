/**
 * The command line in-process: exit codes (0 ok, 1 input errors, 2 usage), JSON diagnostics,
 * fmt --check and atomic rewrites, summary figures, run writing its images, and never a stack
 * trace for bad input.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { segc } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'segc-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

const GOOD = 'model M() {\n  input x: f32[N, H, W, 3]\n  output y = x -> conv(4, 3) -> relu\n}\n';
const BAD = 'model M() {\n  input x: f32[N, H, W, 3]\n  output y = x -> conv(4, 3, dilaton: 2)\n}\n';

describe('segc', () => {
  it('checks a good file with exit 0 and a bad one with exit 1 and a code frame', async () => {
    expect((await segc('check', file('good.seg', GOOD))).code).toBe(0);
    const bad = await segc('check', file('bad.seg', BAD));
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('bad.seg:3:30: error E0220: `conv` has no parameter named `dilaton`');
    expect(bad.err).toContain('> 3 |   output y = x -> conv(4, 3, dilaton: 2)');
    expect(bad.err).toContain('hint: did you mean `dilation`?');
    expect(bad.err).not.toMatch(/\n\s+at /);
  });

  it('gives diagnostics as JSON for tools', async () => {
    const { code, out } = await segc('check', '--json', join(work, 'bad.seg'));
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report.ok).toBe(false);
    expect(report.files[0].diagnostics[0]).toMatchObject({
      code: 'E0220',
      line: 3,
      column: 30,
      hint: 'did you mean `dilation`?',
    });
  });

  it('exits 2 on usage errors and unknown commands', async () => {
    expect((await segc('chek')).code).toBe(2);
    expect((await segc('check')).code).toBe(2);
    expect((await segc('summary', join(work, 'good.seg'), '--input', 'abc')).code).toBe(2);
    expect((await segc('check', '--frobnicate', join(work, 'good.seg'))).code).toBe(2);
  });

  it('reports a missing file as a diagnostic, not a crash', async () => {
    const { code, err } = await segc('check', join(work, 'missing.seg'));
    expect(code).toBe(1);
    expect(err).toContain('E0201');
  });

  it('formats atomically, and --check reports without writing', async () => {
    const path = file('messy.seg', 'model M(){input x:f32[N,H,W,3]\noutput y=x->conv(4,3)->relu}');
    expect((await segc('fmt', '--check', path)).code).toBe(1);
    expect(readFileSync(path, 'utf8')).toContain('model M(){');
    expect((await segc('fmt', path)).code).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(GOOD);
    expect((await segc('fmt', '--check', path)).code).toBe(0);
    expect(readdirSync(work).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('never rewrites a file with syntax errors', async () => {
    const path = file('broken.seg', 'model M( {\n');
    const { code, err } = await segc('fmt', path);
    expect(code).toBe(1);
    expect(err).toContain('not formatted because it has syntax errors');
    expect(readFileSync(path, 'utf8')).toBe('model M( {\n');
  });

  it('summarises parameters and FLOPs at a fixed input size', async () => {
    const { code, out } = await segc('summary', '--json', '--input', '32,32', join(work, 'good.seg'));
    expect(code).toBe(0);
    const summary = JSON.parse(out);
    expect(summary.trainableParams).toBe(3 * 3 * 3 * 4 + 4);
    // conv: 2 · k·k·Cin·Cout · H·W (a multiply-add is 2; the bias is not counted); relu: 1 per element
    expect(summary.totalFlops).toBe(2 * 3 * 3 * 3 * 4 * 32 * 32 + 32 * 32 * 4);
  });

  it('runs a model on an image and writes the mask, labels and overlay', async () => {
    const png = new PNG({ width: 20, height: 12 });
    png.data.fill(128);
    const image = join(work, 'in.png');
    writeFileSync(image, PNG.sync.write(png));
    const model = file(
      'seg.seg',
      'model S() {\n  input x: f32[N, H, W, 3] where H % 4 == 0, W % 4 == 0\n  let logits = x -> conv(3, 3)\n  output logits = logits\n  output mask = argmax(logits, axis: -1)\n}\n',
    );
    const { code, err } = await segc('run', model, '--image', image, '--out', join(work, 'out'), '--backend', 'cpu');
    expect(code).toBe(0);
    expect(err).toContain('backend: cpu');
    expect(err).toContain('WARNING: no --weights given');
    expect(readdirSync(join(work, 'out')).sort()).toEqual([
      'in.json',
      'in.labels.png',
      'in.mask.png',
      'in.overlay.png',
    ]);
    const mask = PNG.sync.read(readFileSync(join(work, 'out', 'in.mask.png')));
    expect([mask.width, mask.height]).toEqual([20, 12]);
  });

  it('reports an unreadable image with a diagnostic and exit 1', async () => {
    const notImage = file('not-an-image.png', 'hello');
    const { code, err } = await segc(
      'run',
      join(work, 'good.seg'),
      '--image',
      notImage,
      '--out',
      join(work, 'out2'),
      '--backend',
      'cpu',
    );
    expect(code).toBe(1);
    expect(err).toMatch(/E060[23]/);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
