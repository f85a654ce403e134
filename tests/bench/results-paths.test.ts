/**
 * Committed bench results are read by people on other machines: a folder of the machine that
 * made them (`/tmp/...`, `/usr/bin/...`) says nothing there. The scripts write paths relative to
 * the repository or as placeholders (`<work>/acol`, `--results <results>`, `python3`).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shownArguments, shownResultPath } from '../../bench/lib/shown-path.js';

const RESULTS = 'bench/results';

/** Every string in a JSON value, with where it sits. */
function strings(value: unknown, at: string): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((item, index) => strings(item, `${at}[${index}]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => strings(item, `${at}.${key}`));
  return [];
}

/** An absolute POSIX path of two or more parts, standing alone or after a space, `=` or `(`. */
const ABSOLUTE = /(?:^|[\s=(])\/[\w.-]+\/[\w./-]*/;

describe('committed bench results', () => {
  const files = readdirSync(RESULTS).filter((name) => name.endsWith('.json'));

  it('are there to check', () => {
    expect(files).toContain('weak-supervision.json');
  });

  it.each(files)('%s names no folder of the machine that made it', (name) => {
    const found = strings(JSON.parse(readFileSync(join(RESULTS, name), 'utf8')), '$').filter(([, text]) =>
      ABSOLUTE.test(text),
    );
    expect(found).toEqual([]);
  });
});

describe('paths as the results show them', () => {
  it('are relative in the repository, under <work> in the work folder, else the option or the name', () => {
    const repository = '/home/someone/segc';
    expect(shownResultPath('weights/acol', '/tmp/w', undefined, repository)).toBe('weights/acol');
    expect(shownResultPath('/home/someone/segc/weights/acol', '/tmp/w', undefined, repository)).toBe('weights/acol');
    expect(shownResultPath('/tmp/w/acol', '/tmp/w', undefined, repository)).toBe('<work>/acol');
    expect(shownResultPath('/tmp/wider/acol', '/tmp/w', undefined, repository)).toBe('acol');
    expect(shownResultPath('/usr/bin/python3', '/tmp/w', 'python', repository)).toBe('<python>');
    expect(
      shownArguments(
        ['--scale', 'full', '--work', '/tmp/w', '--results', '/tmp/r', '--python', '/usr/bin/python3', '--reuse'],
        '/tmp/w',
        repository,
      ).join(' '),
    ).toBe('--scale full --work <work> --results <results> --python <python> --reuse');
    expect(shownArguments(['--results', '/home/someone/segc/bench/results'], '/tmp/w', repository)).toEqual([
      '--results',
      'bench/results',
    ]);
  });
});
