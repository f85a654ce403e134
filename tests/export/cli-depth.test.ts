/**
 * `segc summary` and `segc graph` with `--depth` and `--expand`, through the command line's entry
 * point: what a person reads by default, what a tool gets with --json, and usage errors.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/compiler/node-host.js';
import { segc } from '../helpers/cli.js';

const DEEPLAB = join(PACKAGE_ROOT, 'examples', 'deeplabv3plus.seg');

describe('segc summary --depth', () => {
  it('prints a short table at depth 2 by default, with sizes simplified', async () => {
    const { code, out } = await segc('summary', DEEPLAB);
    expect(code).toBe(0);
    const table = out.slice(0, out.indexOf('explanations'));
    expect(table).toContain('depth 2 (blocks called deeper are one row; --depth all expands them)');
    expect(table).toMatch(
      /^res_net\/high\/residual_stage_1\/repeat +Bottleneck ×5 \(50 layers\) +\[N, ceil\(H\/16\), ceil\(W\/16\), 1024\] +5,601,280 /m,
    );
    expect(table).not.toContain('floor(');
    expect(table.trim().split('\n').length).toBeLessThan(70);
    expect(table).toContain(
      'memory per image: weights 150 MiB, activations depend on the input size; pass --input H,W',
    );
  });

  it('sums the model’s blocks at depth 0 and gives memory at a fixed size', async () => {
    const { code, out } = await segc('summary', DEEPLAB, '--depth', '0', '--input', '513,513');
    expect(code).toBe(0);
    expect(out).toMatch(
      /^encoded\/aspp +ASPP \(22 layers\) +\[N, 33, 33, 256\] +15,538,176 +32\.7G +59\.3 MiB +23\.4 MiB +global +16$/m,
    );
    expect(out).toContain(
      "memory per image: weights 150 MiB, activations 1.05 GiB (every layer's output, as training keeps them)",
    );
  });

  it('gives tools every layer with --json, or the depth they ask for', async () => {
    const full = JSON.parse((await segc('summary', DEEPLAB, '--json')).out);
    expect([full.depth, full.rows.length]).toEqual([null, 209]);
    const top = JSON.parse((await segc('summary', DEEPLAB, '--json', '--depth', '0', '--input', '64,64')).out);
    expect(top.depth).toBe(0);
    expect(top.rows.map((r: { op: string }) => r.op)).toEqual([
      'input',
      'ResNet',
      'ASPP',
      'DeepLabV3PlusDecoder',
      'upsample',
      'argmax',
    ]);
    expect(top.activationBytes).toBe(
      top.rows.reduce((sum: number, row: { activationBytes: number }) => sum + row.activationBytes, 0),
    );
  });

  it.each([
    [['--depth', 'x'], 'segc summary: --depth expects a whole number (0, 1, 2 ...) or `all`, got `x`'],
    [['--depth=-1'], 'segc summary: --depth expects a whole number (0, 1, 2 ...) or `all`, got `-1`'],
    [['--depth', '1', '--expand'], 'segc summary: give --depth or --expand, not both'],
  ])('refuses %j with exit 2', async (flags, message) => {
    const { code, err } = await segc('summary', DEEPLAB, ...flags);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });
});

describe('segc graph --depth', () => {
  it('collapses the blocks the model’s blocks call by default and expands on request', async () => {
    const collapsed = (await segc('graph', DEEPLAB)).out;
    expect(collapsed).toContain(
      'label="res_net/high/residual_stage_1\\nResidualStage · 62 layers · 7.1M params\\n[N, ceil(H/16), ceil(W/16), 1024]", shape=box3d',
    );
    expect(collapsed).not.toContain('bottleneck/residual/conv');
    expect(collapsed).toContain('graph [label="ASPP (deeplabv3plus.seg:18:17)"');
    const expanded = (await segc('graph', DEEPLAB, '--expand')).out;
    expect(expanded).toContain('res_net/low/residual_stage/bottleneck/residual/conv');
    expect(expanded).not.toContain('box3d');
    expect((await segc('graph', DEEPLAB, '--depth', 'all')).out).toBe(expanded);
  });

  it('draws Mermaid at a depth too', async () => {
    const { code, out } = await segc('graph', DEEPLAB, '--format', 'mermaid', '--depth', '0');
    expect(code).toBe(0);
    expect(out).toContain(
      'n1[["res_net<br/>ResNet · 172 layers · 23.5M params<br/>[N, ceil(H/16), ceil(W/16), 2048]"]]',
    );
  });

  it('refuses a depth that is not a whole number with exit 2', async () => {
    const { code, err } = await segc('graph', DEEPLAB, '--depth', '1.5');
    expect(code).toBe(2);
    expect(err).toContain('--depth expects a whole number (0, 1, 2 ...) or `all`, got `1.5`');
  });
});
