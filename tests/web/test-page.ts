/**
 * A page for a browser test: a test's entry file bundled beside an HTML page that loads it, in a
 * temporary folder served over HTTP, and a watch on the page for tfjs's warning that a GPU tensor
 * was read synchronously.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { bundlePage } from '../../examples/web/bundle.js';
import { serveDirectory } from '../../examples/web/serve.js';

export interface TestPageOptions {
  /** The temporary folder's name starts with this. */
  readonly prefix: string;
  /** The absolute path of the page's entry file, which is bundled into `<name>.js`. */
  readonly entryPoint: string;
  readonly title: string;
  /** The HTML page is `<name>.html`; `index` unless told. */
  readonly name?: string;
  /** Fills the folder before the page is bundled (a site the page runs beside, assets it loads). */
  readonly prepare?: (site: string) => Promise<void>;
}

export interface TestSite {
  /** The served folder. */
  readonly directory: string;
  /** The page's address. */
  readonly page: string;
  /** The server's address, ending in a slash. */
  readonly url: string;
  close(): Promise<void>;
}

export async function serveTestPage(options: TestPageOptions): Promise<TestSite> {
  const name = options.name ?? 'index';
  const directory = await mkdtemp(join(tmpdir(), options.prefix));
  try {
    await options.prepare?.(directory);
    await bundlePage({ entryPoint: options.entryPoint, outFile: join(directory, `${name}.js`) });
    await writeFile(
      join(directory, `${name}.html`),
      `<!doctype html>\n<meta charset="utf-8">\n<link rel="icon" href="data:,">\n<title>${options.title}</title>\n<script type="module" src="${name}.js"></script>\n`,
    );
    const server = await serveDirectory(directory);
    return {
      directory,
      page: `${server.url}${name}.html`,
      url: server.url,
      close: async () => {
        await server.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The warnings tfjs gives when a GPU tensor is read synchronously, as the page gives them: on
 * WebGPU such a read goes through a canvas, which lost the device in SwiftShader's adapter.
 */
export function watchSynchronousGpuReads(page: Page): string[] {
  const reads: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning' && /synchronously reading data from GPU/.test(message.text()))
      reads.push(message.text());
  });
  return reads;
}
