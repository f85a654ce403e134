/**
 * The browser bundle: it builds, contains the browser entry points, and the build fails, naming
 * the importer, when anything Node-only would reach it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePage, PAGE_DIRECTORY, PROJECT_ROOT } from '../../examples/web/bundle.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'segc-bundle-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Bundles a one-line entry written in the scratch folder. */
async function bundleEntry(name: string, source: string): Promise<unknown> {
  const entryPoint = join(scratch, `${name}.ts`);
  await writeFile(entryPoint, source);
  return bundlePage({ entryPoint, outFile: join(scratch, `${name}.js`), minify: false });
}

function fromScratch(projectFile: string): string {
  return relative(scratch, join(PROJECT_ROOT, projectFile)).split('\\').join('/');
}

describe('the page bundle', () => {
  it('builds from main.ts with the browser entry points and no Node-only file', async () => {
    const report = await bundlePage({ entryPoint: join(PAGE_DIRECTORY, 'main.ts'), outFile: join(scratch, 'main.js') });
    expect(report.inputs).toContain('src/web/analyse.ts');
    expect(report.inputs).toContain('src/explain/explain.ts');
    expect(report.inputs).toContain('src/compiler/compile.ts');
    expect(
      report.inputs.filter((input) =>
        /\/node\/|node-host|src\/cli\/|node_modules\/(pngjs|jpeg-js|webgpu)\//.test(input),
      ),
    ).toEqual([]);
    expect(report.bytes).toBeGreaterThan(100_000);
  }, 60_000);

  it('fails on a Node built-in module', async () => {
    await expect(
      bundleEntry('builtin', "import { readFileSync } from 'node:fs';\nconsole.log(readFileSync);\n"),
    ).rejects.toThrow(/imports the Node built-in module `node:fs`, which cannot run in a browser/);
    await expect(bundleEntry('bare-builtin', "import { join } from 'path';\nconsole.log(join);\n")).rejects.toThrow(
      /Node built-in module `path`/,
    );
  });

  it('fails on a Node-only package', async () => {
    await expect(bundleEntry('package', "import { PNG } from 'pngjs';\nconsole.log(PNG);\n")).rejects.toThrow(
      /Node-only package `pngjs`/,
    );
    await expect(bundleEntry('dawn', "import { create } from 'webgpu';\nconsole.log(create);\n")).rejects.toThrow(
      /Node-only package `webgpu`/,
    );
  });

  it('fails on a Node-only module of the project, also when it is reached through another file', async () => {
    const direct = `import { saveWeights } from '${fromScratch('src/runtime/node/weights-fs.js')}';\nconsole.log(saveWeights);\n`;
    await expect(bundleEntry('direct', direct)).rejects.toThrow(/Node-only module src\/runtime\/node\/weights-fs/);
    const cli = `import { seedOf } from '${fromScratch('src/cli/load-model.js')}';\nconsole.log(seedOf);\n`;
    await expect(bundleEntry('cli', cli)).rejects.toThrow(/Node-only module src\/cli\/load-model/);
    await writeFile(
      join(scratch, 'helper.ts'),
      `export { readImage } from '${fromScratch('src/runtime/node/image-io.js')}';\n`,
    );
    await expect(
      bundleEntry('indirect', "import { readImage } from './helper.js';\nconsole.log(readImage);\n"),
    ).rejects.toThrow(/helper\.ts imports the Node-only module src\/runtime\/node\/image-io/);
  });
});
