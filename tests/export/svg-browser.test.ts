/**
 * The DeepLabv3+ diagram as a person sees it: rendered by headless chromium with the fonts this
 * machine has (often wider than the Helvetica metrics Graphviz lays out with), every line of
 * every label lies inside its box and every cluster title inside its cluster. The size at the
 * default depth is printed, and a screenshot is saved under tests/artifacts/ (git-ignored).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { PACKAGE_ROOT, nodeHost } from '../../src/compiler/node-host.js';
import { toSvg } from '../../src/ir/export/svg.js';
import { CHROMIUM, chromiumAvailable } from '../web/browser.js';

const ARTIFACTS = resolve('tests/artifacts');
const ON_CI = process.env.CI === 'true';
/** Matches the CLI's default (`segc graph` draws the model's own blocks open). */
const DEFAULT_DEPTH = 1;

interface Overflow {
  readonly text: string;
  readonly by: number;
}

describe.skipIf(!chromiumAvailable() && !ON_CI)('the DeepLabv3+ diagram in chromium', () => {
  it.each([DEFAULT_DEPTH, 0, Infinity])(
    'at depth %s fits every label in its box',
    async (depth) => {
      const model = compile(join(PACKAGE_ROOT, 'examples', 'deeplabv3plus.seg'), nodeHost()).models[0]!;
      const svg = await toSvg(model.graph!, { formatDim: model.sizes.display.bind(model.sizes), depth });
      const [, width, height] = /<svg width="(\d+)pt" height="(\d+)pt"/.exec(svg)!;
      console.info(`DeepLabv3+ at depth ${depth}: ${width}×${height} pt`);
      const profile = await mkdtemp(join(tmpdir(), 'segc-chromium-'));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox'],
      });
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        await page.setContent(`<!doctype html><body style="margin:0">${svg.slice(svg.indexOf('<svg'))}</body>`);
        const overflows = await page.evaluate(() => {
          const found: Overflow[] = [];
          for (const group of Array.from(document.querySelectorAll('g.node, g.cluster'))) {
            const shape = group.querySelector('polygon, path');
            if (!shape) continue;
            const box = (shape as SVGGraphicsElement).getBBox();
            for (const text of Array.from(group.querySelectorAll('text'))) {
              const line = text.getBBox();
              const by = Math.max(box.x - line.x, line.x + line.width - (box.x + box.width));
              if (by > 0) found.push({ text: text.textContent ?? '', by });
            }
          }
          return found;
        });
        expect(overflows).toEqual([]);
        if (depth === DEFAULT_DEPTH) {
          await mkdir(ARTIFACTS, { recursive: true });
          await page.setViewportSize({ width: 1400, height: 900 });
          await page.locator('svg').screenshot({ path: join(ARTIFACTS, 'deeplabv3plus-graph.png'), timeout: 60_000 });
        }
      } finally {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
