/**
 * Regression tests for the hostile .seg files of issue 14: each once crashed Node, ended in an
 * internal error (exit 3), was silently rounded, or took minutes. Each now gets its documented
 * exit code and exact message.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { closest, editDistance, MAX_SUGGESTION_CANDIDATES } from '../../src/diagnostics/suggest.js';
import { modelSource, scratchFolder, segc, segcInChild, writeText } from './harness.js';

const work = scratchFolder('hostile-front');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FRAME_FREE = /\n\s+at /;

describe('strides that crashed Node (case 1)', () => {
  it.each(['100000000', '2147483648'])('stride %s is refused with exit 1, in a child with a 512 MB heap', (stride) => {
    const file = writeText(work, `stride-${stride}.seg`, modelSource(`x -> conv(8, 3, stride: ${stride})`));
    const result = segcInChild(['check', file]);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `${file}:3:30: error E0224: the argument \`stride\` of \`conv\`: ${stride} is out of range: an int argument is at most 1048576 in magnitude (see docs/limits.md)`,
    );
  });

  it('a stride at the limit is checked with exit 0 (the size search is capped)', async () => {
    const file = writeText(work, 'stride-big.seg', modelSource('x -> conv(8, 3, stride: 1048576)'));
    const result = await segc('check', file);
    expect(result.code).toBe(0);
  });
});

describe('internal errors that are now diagnostics (case 5)', () => {
  it('a chain of 5,000 `1 + ` terms is E0109, not a stack overflow', async () => {
    const file = writeText(work, 'chain.seg', modelSource(`x -> conv(${Array(5000).fill('1').join(' + ')}, 3)`));
    const result = await segc('check', file);
    expect(result.code).toBe(1);
    // the 1001st operator: `  output y = x -> conv(` is 23 columns, each `1 + ` four more
    expect(result.err).toContain(
      `${file}:3:${23 + 1000 * 4 + 3}: error E0109: an expression with more than 1000 operators; the file is not parsed further`,
    );
    expect(result.err).toContain('hint: split the expression with `let` names');
    expect(result.err).not.toMatch(FRAME_FREE);
  });

  it('a chain of 1,000 operators is still fine', async () => {
    const file = writeText(
      work,
      'chain-1000.seg',
      modelSource(`x -> conv(${Array(1000).fill('1').join(' + ')} - 992, 3)`),
    );
    expect((await segc('check', file)).code).toBe(0);
  });

  it('integer overflow in a size expression is E0260 at the product that overflows', async () => {
    const file = writeText(work, 'overflow.seg', modelSource('x -> conv(c*c*c, 3)', '  let c = 100000000\n'));
    const result = await segc('check', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `${file}:4:24: error E0260: integer overflow: 100000000 * 100000000 is beyond 9007199254740991 (2^53 - 1), the largest exact integer`,
    );
  });

  it("the issue's c = 1e20 is already refused at the literal (E0121)", async () => {
    const file = writeText(
      work,
      'overflow-literal.seg',
      modelSource('x -> conv(c*c*c*c, 3)', '  let c = 100000000000000000000\n'),
    );
    const result = await segc('check', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `${file}:3:11: error E0121: the integer \`100000000000000000000\` is too large: integers are exact up to 9007199254740991 (2^53 - 1)`,
    );
  });

  it('float overflow to infinity is E0260', async () => {
    const file = writeText(work, 'float-overflow.seg', modelSource('x -> dropout(1e300 * 1e300)'));
    const result = await segc('check', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${file}:3:27: error E0260: 1e+300 * 1e+300 is not a finite number`);
  });
});

describe('numbers are exact or refused (case 6)', () => {
  it('a literal above 2^53 is E0121, not rounded', async () => {
    const file = writeText(work, 'big-literal.seg', modelSource('x -> conv(9007199254740993, 3)'));
    const result = await segc('check', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `${file}:3:24: error E0121: the integer \`9007199254740993\` is too large: integers are exact up to 9007199254740991 (2^53 - 1)`,
    );
    expect(result.err).toContain(
      'hint: no size or count comes near it; write a float such as `1e20` if an approximate value will do (docs/limits.md)',
    );
  });

  it('2^53 - 1 itself is exact and allowed as a value', async () => {
    const file = writeText(
      work,
      'max-literal.seg',
      modelSource('x -> conv(f, 3)', '  let f = 9007199254740991 - 9007199254740983\n'),
    );
    expect((await segc('check', file)).code).toBe(0);
  });

  it('a 401-digit dimension is E0121, and summary does not print Infinity', async () => {
    const file = writeText(
      work,
      'dim401.seg',
      'model M() {\n  input x: f32[N, ' + '9'.repeat(401) + ', 8, 3]\n  output y = x -> conv(8, 3)\n}\n',
    );
    const check = await segc('check', file);
    expect(check.code).toBe(1);
    expect(check.err).toContain(
      `${file}:2:19: error E0121: the integer \`99999999999999999999…(401 digits)\` is too large`,
    );
    const summary = await segc('summary', file);
    expect(summary.code).toBe(1);
    expect(summary.out + summary.err).not.toMatch(/Infinity|∞/);
  });

  it('a dimension above 2^20 is E0281', async () => {
    const file = writeText(
      work,
      'dim-big.seg',
      'model M() {\n  input x: f32[N, 2000000, 8, 3]\n  output y = x -> conv(8, 3)\n}\n',
    );
    const result = await segc('check', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${file}:2:19: error E0281: a tensor size is at most 1048576, got 2000000`);
  });

  it('a fixed size that grows past 2^20 through an op is E0301', async () => {
    const file = writeText(
      work,
      'grow.seg',
      'model M() {\n  input x: f32[N, 1024, 1024, 3]\n  output y = x -> upsample(factor: 1048576)\n}\n',
    );
    const result = await segc('check', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `${file}:3:19: error E0301: upsample: the output would have a size of 1073741824, more than the limit of 1048576`,
    );
  });

  it('a float literal too large to be finite is E0121', async () => {
    const file = writeText(work, 'float-literal.seg', modelSource('x -> dropout(1e400)'));
    const result = await segc('check', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${file}:3:27: error E0121: the number \`1e400\` is too large to be represented`);
  });
});

describe('slow inputs that amounted to hangs (case 8)', () => {
  it('a 1 MiB unknown name gets E0211 without a suggestion search over it', async () => {
    const file = writeText(work, 'long-name.seg', modelSource(`x -> ${'a'.repeat(1 << 20)}`));
    const result = await segc('check', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${file}:3:19: error E0211: unknown block or operation \`${'a'.repeat(1 << 20)}\``);
    // the code frame shows a window of the line, not a megabyte
    expect(result.err.length).toBeLessThan((1 << 20) + 2000);
  });

  it('20,000 chained `-> relu` check with exit 0 (layer names no longer quadratic)', async () => {
    const file = writeText(work, 'relus.seg', modelSource(`x${' -> relu'.repeat(20_000)}`));
    const result = await segc('check', file);
    expect(result.code).toBe(0);
    expect(result.out + result.err).toContain('0 errors, 0 warnings');
  });

  it('2,000 unknown names among 2,000 `let` names: every one reported, each with bounded work', async () => {
    const lets = Array.from({ length: 2000 }, (_, i) => `  let v${i} = ${i}\n`).join('');
    const uses = Array.from({ length: 2000 }, (_, i) => `  let u${i} = w${i}\n`).join('');
    const file = writeText(
      work,
      'names.seg',
      `model M() {\n  input x: f32[N, H, W, 3]\n${lets}${uses}  output y = x -> relu\n}\n`,
    );
    const result = await segc('check', file);
    expect(result.code).toBe(1);
    expect(result.err.match(/error E0210: unknown name/g)).toHaveLength(2000);
    expect(result.err).toContain(`${file}:2003:12: error E0210: unknown name \`w0\``);
  });
});

describe('source files that are not files', () => {
  it.each(['check', 'fmt'])('%s /dev/zero is E0201 with exit 1, not a read until memory runs out', async (command) => {
    const result = await segc(command, '/dev/zero');
    expect(result.code).toBe(1);
    expect(result.err).toContain('/dev/zero:1:1: error E0201: cannot read `/dev/zero`: it is not a regular file');
  });
});

describe('suggestions are bounded (case 8, deliverable 4)', () => {
  it('the edit distance stops at its limit', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('kitten', 'sitting', 1)).toBe(2);
    expect(editDistance('dilaton', 'dilation', 2)).toBe(1);
    expect(editDistance('ab', 'ba', 1)).toBe(1);
    expect(editDistance('a'.repeat(1000), 'b'.repeat(1000), 2)).toBe(3);
  });

  it('still suggests close names, ignores names over 64 characters, and looks at most at 1000 candidates', () => {
    expect(closest('dilaton', ['stride', 'dilation', 'padding'])).toBe('dilation');
    expect(closest('Relu', ['relu'])).toBe('relu');
    expect(closest(`${'a'.repeat(64)}x`, [`${'a'.repeat(64)}y`])).toBeUndefined();
    const candidates = [...Array.from({ length: MAX_SUGGESTION_CANDIDATES }, (_, i) => `far${i}`), 'features'];
    expect(closest('featurs', candidates)).toBeUndefined();
    expect(closest('featurs', candidates.slice(1))).toBe('features');
  });
});
