/**
 * What the editor's workspace reuses between edits (src/lsp/analysis.ts): the parses of files
 * whose text did not change, and whole analyses while no file they read changed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Lines, Workspace } from '../../src/lsp/analysis.js';
import { editorDiagnostics } from '../../src/lsp/diagnostics.js';
import { memoryHost } from '../../src/web/memory-host.js';

const HEADS = readFileSync('std/heads.seg', 'utf8');
const MAIN = `import { Head } from "./head.seg"

model M(classes: int = 10) {
  input image: f32[N, 8, 8, 3]
  output logits = Head(image -> conv(4, 3), classes)
}
`;
const HEAD =
  'import { GapHead } from "std/heads.seg"\n\nblock Head(x, classes: int) {\n  return GapHead(x, classes)\n}\n';

function workspace(): Workspace {
  return new Workspace(memoryHost({ 'main.seg': MAIN, 'head.seg': HEAD, 'std/heads.seg': HEADS }));
}

describe('the editor workspace', () => {
  test('an edit re-parses the edited file only; imports and std/ keep their parse', () => {
    const files = workspace();
    const first = files.check('main.seg');
    files.open('main.seg', MAIN.replace('conv(4, 3)', 'conv(5, 3)'));
    const second = files.check('main.seg');
    expect(second).not.toBe(first);
    expect(second.program.modules.get('std/heads.seg')!.program).toBe(
      first.program.modules.get('std/heads.seg')!.program,
    );
    expect(second.program.modules.get('head.seg')!.program).toBe(first.program.modules.get('head.seg')!.program);
    expect(second.module!.program).not.toBe(first.module!.program);
  });

  test('nothing changed: the same analysis, elaborated once', () => {
    const files = workspace();
    const elaborated = files.elaborate('main.seg');
    expect(elaborated.compiled!.models[0]!.graph).toBeDefined();
    expect(files.check('main.seg')).toBe(elaborated);
    expect(files.elaborate('main.seg')).toBe(elaborated);
  });

  test('an edit to an open import invalidates the files that read it', () => {
    const files = workspace();
    const before = files.elaborate('main.seg');
    expect(before.diagnostics).toEqual([]);
    files.open('head.seg', HEAD.replace('import { GapHead }', 'import { GapHed }'));
    const after = files.check('main.seg');
    expect(after).not.toBe(before);
    expect(
      after.diagnostics.map(
        (d) => `${d.span.file}:${d.span.start.line}:${d.span.start.column} ${d.code} ${d.message} (${d.hint})`,
      ),
    ).toEqual(['head.seg:1:10 E0203 `std/heads.seg` has no block or model named `GapHed` (did you mean `GapHead`?)']);
    // In main.seg's editor it shows at the import that reaches it, where it happened as related information.
    expect(editorDiagnostics(files, 'main.seg', after.diagnostics)).toEqual([
      {
        range: { start: { line: 0, character: 21 }, end: { line: 0, character: 33 } },
        severity: 1,
        code: 'E0203',
        source: 'segc',
        message:
          '`std/heads.seg` has no block or model named `GapHed`\nhint: did you mean `GapHead`?\n(in head.seg:1:10)',
        relatedInformation: [
          {
            location: {
              path: 'head.seg',
              range: { start: { line: 0, character: 9 }, end: { line: 0, character: 15 } },
            },
            message: 'the mistake is here',
          },
        ],
      },
    ]);
  });

  test('positions: offsets to zero-based lines and UTF-16 characters and back', () => {
    const lines = new Lines('ab\n×c\n\nd');
    expect([0, 2, 3, 4, 6, 7].map((offset) => lines.place(offset))).toEqual([
      { line: 0, character: 0 },
      { line: 0, character: 2 },
      { line: 1, character: 0 },
      { line: 1, character: 1 },
      { line: 2, character: 0 },
      { line: 3, character: 0 },
    ]);
    expect(lines.offset({ line: 1, character: 1 })).toBe(4);
    expect(lines.offset({ line: 9, character: 0 })).toBe(7);
  });
});
