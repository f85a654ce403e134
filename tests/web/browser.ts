/**
 * Driving Debian's chromium headless with playwright-core (never a downloaded browser). WebGPU
 * comes from `--enable-unsafe-webgpu`, which gives SwiftShader's software adapter here; the
 * fallback run turns WebGPU off instead.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { SegcResult } from '../../examples/web/result.js';

export const CHROMIUM = '/usr/bin/chromium';

const COMMON_ARGUMENTS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserSession {
  readonly page: Page;
  /** Uncaught errors and console errors the page reported. */
  readonly problems: string[];
  close(): Promise<void>;
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export async function openPage(url: string, webgpu: boolean): Promise<BrowserSession> {
  const profile = await mkdtemp(join(tmpdir(), 'segc-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...COMMON_ARGUMENTS, ...(webgpu ? ['--enable-unsafe-webgpu'] : ['--disable-features=WebGPU'])],
    viewport: { width: 1000, height: 720 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.goto(url);
  return {
    page,
    problems,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Waits for the page to load its model, then runs one image through `window.segcRun`. */
export async function runInPage(page: Page, imageUrl: string, classIndex: number): Promise<SegcResult> {
  await page.waitForFunction(() => window.segcReady !== undefined);
  await page.evaluate(() => window.segcReady);
  return page.evaluate(([url, index]) => window.segcRun(url, index), [imageUrl, classIndex] as const);
}
