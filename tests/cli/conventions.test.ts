/**
 * What people expect of a command line: help for every command listing every option with its
 * description and default, --version, did-you-mean for commands and options, the documented
 * exit codes, inputs checked before a backend starts, human output by default with --json for
 * tools, and no files but the ones asked for.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, type CommandDef } from '../../src/cli/spec.js';
import { segc } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'segc-conventions-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Help text with its line wrapping undone, so a description reads as one phrase. */
const unwrapped = (text: string) => text.replace(/\s+/g, ' ');

function grey(path: string, size: number): string {
  const png = new PNG({ width: size, height: size });
  png.data.fill(200);
  writeFileSync(path, PNG.sync.write(png));
  return path;
}

const allCommands: [string, CommandDef][] = COMMANDS.flatMap((c) => [
  [c.name, c] as [string, CommandDef],
  ...(c.subcommands ?? []).map((s) => [`${c.name} ${s.name}`, s] as [string, CommandDef]),
]);

describe('segc help and version', () => {
  it('lists every command with its summary, and exits 0', async () => {
    const { code, out } = await segc('--help');
    expect(code).toBe(0);
    for (const command of COMMANDS) expect(unwrapped(out)).toContain(unwrapped(command.summary));
    expect(out).toContain('exit codes: 0 success, 1 errors in the input, 2 usage, 3 internal error');
  });

  it.each(allCommands)('`segc %s --help` describes every option and shows its default', async (name, command) => {
    const { code, out, err } = await segc(...name.split(' '), '--help');
    expect(code, err).toBe(0);
    const text = unwrapped(out);
    expect(text).toContain(`Usage: segc ${name}`);
    for (const option of command.options) {
      const described = `${option.flags} ${option.description}${option.repeat ? ' (repeatable)' : ''}`;
      expect(text).toContain(option.fallback !== undefined ? `${described} (default: ${option.fallback})` : described);
    }
  });

  it('`segc help train` is the same as `segc train --help`', async () => {
    const viaHelp = await segc('help', 'train');
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.out).toBe((await segc('train', '--help')).out);
    expect(viaHelp.out).toContain('(default: 10)');
  });

  it('prints the package version', async () => {
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
    const { code, out, err } = await segc('--version');
    expect([code, out.trim(), err]).toEqual([0, version, '']);
  });

  it('with no command prints the help on stderr and exits 2', async () => {
    const { code, out, err } = await segc();
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('Usage: segc [options] [command]');
  });
});

describe('segc usage errors', () => {
  it.each([
    [['chek', 'x.seg'], "error: unknown command 'chek'\n(Did you mean check?)"],
    [['run', 'm.seg', '--imgae', 'a.png'], "error: unknown option '--imgae'\n(Did you mean --image?)"],
    [['train', 'm.seg', '--epoch', '3'], "error: unknown option '--epoch'\n(Did you mean --epochs?)"],
    [['summary'], 'segc summary: summary needs a .seg file\nusage: segc summary [options] <file>'],
    [['run', 'm.seg', '--image'], "error: option '--image <file>' argument missing"],
  ])('%j exits 2 with %j', async (argv, message) => {
    const { code, err } = await segc(...argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it('refuses --input on a model with a fixed input size instead of ignoring it', async () => {
    const { code, err } = await segc('summary', 'examples/gap_cam.seg', '--input', '64,64');
    expect(code).toBe(2);
    expect(err).toContain('--input 64,64 does not apply: model GapCam takes a fixed 28×28 input');
  });
});

describe('segc run and explain', () => {
  it('checks the images before compiling or starting a backend, and names the file without a line', async () => {
    const missing = join(work, 'nope.png');
    const { code, err } = await segc('run', 'examples/gap_cam.seg', '--image', missing, '--out', join(work, 'never'));
    expect(code).toBe(1);
    expect(err).toBe(`${missing}: error E0601: cannot read image ${missing} (ENOENT)\n  hint: check the path\n`);
    expect(readdirSync(work)).not.toContain('never');
  });

  it('checks --backend before compiling', async () => {
    const { code, err } = await segc(
      'run',
      join(work, 'no-such-model.seg'),
      '--image',
      grey(join(work, 'g.png'), 8),
      '--out',
      work,
      '--backend',
      'gpu',
    );
    expect(code).toBe(2);
    expect(err).toContain('--backend must be auto, webgpu, wasm, cpu or onnx, got `gpu`');
    expect(err).not.toContain('E0201');
  });

  it('refuses an --out that is a file', async () => {
    const file = join(work, 'a-file');
    writeFileSync(file, '');
    const { code, err } = await segc(
      'explain',
      'examples/gap_cam.seg',
      '--image',
      grey(join(work, 'g.png'), 28),
      '--out',
      file,
    );
    expect(code).toBe(2);
    expect(err).toContain(`--out ${file} is a file; give a folder`);
  });

  it('a classifier prints one line per image; --json gives one scored output and no empty file list', async () => {
    const image = grey(join(work, 'digit.png'), 28);
    const out = join(work, 'classified');
    const human = await segc(
      'run',
      'examples/gap_cam.seg',
      '--image',
      image,
      '--out',
      out,
      '--backend',
      'cpu',
      '--top',
      '3',
    );
    expect(human.code, human.err).toBe(0);
    expect(human.out).toMatch(
      new RegExp(`^${image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} → \\d \\(\\d+\\.\\d%\\)\\n$`),
    );
    expect(human.err.match(/^backend: /gm)).toHaveLength(1);
    const json = await segc(
      'run',
      'examples/gap_cam.seg',
      '--image',
      image,
      '--out',
      out,
      '--backend',
      'cpu',
      '--top',
      '3',
      '--json',
    );
    const report = JSON.parse(json.out);
    expect(Object.keys(report).sort()).toEqual(['image', 'inputSize', 'output', 'randomWeights', 'top']);
    expect(report.output).toBe('probabilities');
    expect(report.top).toHaveLength(3);
    expect(report.top[0].probability).toBeGreaterThanOrEqual(report.top[1].probability);
    expect(readdirSync(out)).toEqual(['digit.json']);
    expect(JSON.parse(readFileSync(join(out, 'digit.json'), 'utf8')).top).toEqual(report.top);
  });

  it('with --backend auto says once which backend runs, and nothing from Dawn reaches the terminal', () => {
    // A child process: Dawn writes to the process's own stderr, which only a parent can see.
    const image = grey(join(work, 'auto.png'), 28);
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/train-segc.ts',
        'run',
        'examples/gap_cam.seg',
        '--image',
        image,
        '--out',
        join(work, 'auto'),
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('backend: '))).toHaveLength(1);
    expect(
      lines.filter((line) => !line.startsWith('backend: ') && !line.startsWith('WARNING: no --weights given')),
    ).toEqual([]);
  });
});

describe('a reader that stops early', () => {
  it('ends the output quietly: `segc run --help | head -1` exits 0 with no EPIPE', () => {
    // From the sources, as the demo test runs them; bash reports the exit code of segc itself.
    const script = 'node --import tsx bench/train-segc.ts run --help | head -1; exit "${PIPESTATUS[0]}"';
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stdout).toBe('Usage: segc run [options] <model>\n');
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.status).toBe(0);
  });
});
