/**
 * The playground in headless chromium: Monaco with the language service in a web worker. Type a
 * mistake and its marker appears on the line typed on; hover a name and its shape shows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildPlayground } from '../../examples/playground/build.js';
import type {} from '../../examples/playground/globals.js';
import { serveDirectory, type RunningServer } from '../../examples/web/serve.js';
import { chromiumAvailable, openPage, type BrowserSession } from '../web/browser.js';

const out = mkdtempSync(join(tmpdir(), 'segc-playground-'));
let server: RunningServer;
let session: BrowserSession;

interface Marker {
  startLineNumber: number;
  startColumn: number;
  endColumn: number;
  code: string;
  message: string;
}

describe.skipIf(!chromiumAvailable())('the playground page', () => {
  beforeAll(async () => {
    await buildPlayground(out);
    server = await serveDirectory(out);
    session = await openPage(`${server.url}index.html`, false);
    session.page.on('worker', (worker) => worker.on('console', (message) => {
      if (message.type() === 'error') session.problems.push(`worker console error: ${message.text()}`);
    }));
    await session.page.waitForFunction(() => window.playground?.shown.shapes === true, undefined, { timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await session?.close();
    await server?.close();
    rmSync(out, { recursive: true, force: true });
  });

  const markers = () => session.page.evaluate(() => window.monaco.editor.getModelMarkers({ owner: 'segc' }) as unknown as Marker[]);

  test('the example opens without problems', async () => {
    expect(await markers()).toEqual([]);
    expect(session.problems).toEqual([]);
  });

  test('a mistake typed on line 12 gets a marker on line 12', async () => {
    const { page } = session;
    await page.evaluate(() => {
      const editor = window.playground!.editor;
      editor.focus();
      editor.setPosition({ lineNumber: 12, column: editor.getModel()!.getLineMaxColumn(12) });
    });
    await page.keyboard.type('x');
    await page.waitForFunction(() => window.monaco.editor.getModelMarkers({ owner: 'segc' }).length > 0);
    const found = await markers();
    expect(found.map((m) => ({ line: m.startLineNumber, start: m.startColumn, end: m.endColumn, code: m.code, message: m.message }))).toEqual([
      { line: 12, start: 42, end: 47, code: 'E0211', message: 'unknown block or operation `relux`\nhint: did you mean `relu`?' },
    ]);
    await page.waitForSelector('.squiggly-error');
    await page.keyboard.press('Backspace');
    await page.waitForFunction(() => window.monaco.editor.getModelMarkers({ owner: 'segc' }).length === 0 && window.playground!.shown.shapes);
  }, 30_000);

  /** Replaces the filter count of the last convolution (line 17) as an edit in the editor. */
  const setFilters = (from: string, to: string) =>
    session.page.evaluate(([before, after]) => {
      const editor = window.playground!.editor;
      const column = editor.getModel()!.getLineContent(17).indexOf(`conv(${before}`) + 'conv('.length + 1;
      editor.executeEdits('test', [{ range: { startLineNumber: 17, startColumn: column, endLineNumber: 17, endColumn: column + before.length }, text: after }]);
    }, [from, to] as const);
  const diagramShows = (text: string) =>
    session.page.waitForFunction((wanted) => document.querySelector('#diagram svg')?.textContent?.includes(wanted), text, { timeout: 15_000 });

  test('the diagram is redrawn after an edit', async () => {
    // The last convolution of the example has 64 filters: [N, 7, 7, 64].
    await diagramShows('[N, 7, 7, 64]');
    await setFilters('64', '48');
    await diagramShows('[N, 7, 7, 48]');
    expect(await session.page.locator('#diagram svg').textContent()).not.toContain('[N, 7, 7, 64]');
    await setFilters('48', '64');
    await diagramShows('[N, 7, 7, 64]');
  }, 40_000);

  test('hovering a name shows its shape', async () => {
    const { page } = session;
    // `features` in `let logits = GapHead(features, classes)`, line 19.
    const point = await page.evaluate(() => {
      const editor = window.playground!.editor;
      const column = editor.getModel()!.getLineContent(19).indexOf('features') + 3;
      const visible = editor.getScrolledVisiblePosition({ lineNumber: 19, column })!;
      const box = editor.getDomNode()!.getBoundingClientRect();
      return { x: box.left + visible.left + 2, y: box.top + visible.top + visible.height / 2 };
    });
    await page.mouse.move(point.x, point.y);
    await page.waitForSelector('.monaco-hover-content :text("f32[N, 7, 7, 64]")', { timeout: 15_000 });
    const text = await page.locator('.monaco-hover-content', { hasText: 'f32[N, 7, 7, 64]' }).first().textContent();
    expect(text).toContain('(let) features');
    expect(text).toContain('shape f32[N, 7, 7, 64] in model GapCam');
    expect(session.problems).toEqual([]);
  }, 30_000);
});
