/** Hovering an input shows its type and its `@preprocess`, as written. */
import { expect, test } from 'vitest';
import { Workspace } from '../../src/lsp/analysis.js';
import { hover } from '../../src/lsp/hover.js';
import { memoryHost } from '../../src/web/memory-host.js';

const SOURCE =
  'model P() {\n  input image: f32[1, 4, 4, 3] @preprocess(order: "bgr", mean: [1, 2, 3])\n  output x = image -> relu\n}\n';

test('hover on an input shows its @preprocess', () => {
  const files = new Workspace(memoryHost({ 'p.seg': SOURCE }));
  const result = hover(files, files.check('p.seg'), SOURCE.indexOf('image -> relu') + 1);
  expect(result?.contents.split('\n').slice(0, 3)).toEqual([
    '```seg',
    '(input) image: f32[1, 4, 4, 3] @preprocess(order: "bgr", mean: [1, 2, 3])',
    '```',
  ]);
});
