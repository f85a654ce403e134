/**
 * Packages the VS Code extension (editors/vscode) into a .vsix with @vscode/vsce. The extension
 * is bundled into one file with esbuild (vscode-languageclient included, `vscode` left to the
 * editor), staged in a temporary folder with the TextMate grammar from grammar/, and packed there, so nothing generated lands in the repository.
 *
 *   npx tsx scripts/package-vscode.ts [OUT.vsix]     (default out/seg-VERSION.vsix)
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createVSIX } from '@vscode/vsce';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const extension = join(root, 'editors', 'vscode');

export async function packageExtension(output: string): Promise<string> {
  const staging = mkdtempSync(join(tmpdir(), 'segc-vsix-'));
  try {
    for (const file of ['package.json', 'language-configuration.json', 'README.md', '.vscodeignore'])
      copyFileSync(join(extension, file), join(staging, file));
    mkdirSync(join(staging, 'syntaxes'));
    copyFileSync(join(root, 'grammar', 'seg.tmLanguage.json'), join(staging, 'syntaxes', 'seg.tmLanguage.json'));
    await build({
      entryPoints: [join(extension, 'src', 'extension.ts')],
      outfile: join(staging, 'dist', 'extension.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      minify: true,
      logLevel: 'warning',
    });
    mkdirSync(dirname(output), { recursive: true });
    await createVSIX({
      cwd: staging,
      packagePath: output,
      dependencies: false,
      allowMissingRepository: true,
      skipLicense: true,
    });
    return output;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const version = (JSON.parse(readFileSync(join(extension, 'package.json'), 'utf8')) as { version: string }).version;
  const output = resolve(process.argv[2] ?? join(root, 'out', `seg-${version}.vsix`));
  console.log(`wrote ${await packageExtension(output)}`);
}
