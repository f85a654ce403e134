/**
 * The VS Code extension packs into a .vsix with @vscode/vsce (scripts/package-vscode.ts), and the
 * package holds what VS Code reads: the manifest declaring the `seg` language, its grammar (the
 * one in grammar/, byte for byte), the language configuration and the bundled client.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import yauzl from 'yauzl';
import { packageExtension } from '../../scripts/package-vscode.js';

const out = mkdtempSync(join(tmpdir(), 'segc-vsix-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function readZip(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
      zip.readEntry();
    });
  });
}

test('the extension packs into a .vsix with the grammar, the configuration and the client', async () => {
  const vsix = await packageExtension(join(out, 'seg.vsix'));
  const files = await readZip(vsix);
  expect([...files.keys()].sort()).toEqual([
    '[Content_Types].xml',
    'extension.vsixmanifest',
    'extension/dist/extension.js',
    'extension/language-configuration.json',
    'extension/package.json',
    'extension/readme.md',
    'extension/syntaxes/seg.tmLanguage.json',
  ]);
  expect(files.get('extension/syntaxes/seg.tmLanguage.json')!.toString('utf8')).toBe(
    readFileSync('grammar/seg.tmLanguage.json', 'utf8'),
  );
  const manifest = JSON.parse(files.get('extension/package.json')!.toString('utf8'));
  expect(manifest.main).toBe('./dist/extension.js');
  expect(manifest.contributes.languages[0]).toMatchObject({
    id: 'seg',
    extensions: ['.seg'],
    configuration: './language-configuration.json',
  });
  expect(manifest.contributes.grammars[0]).toEqual({
    language: 'seg',
    scopeName: 'source.seg',
    path: './syntaxes/seg.tmLanguage.json',
  });
  expect(JSON.parse(files.get('extension/language-configuration.json')!.toString('utf8')).comments).toEqual({
    lineComment: '//',
    blockComment: ['/*', '*/'],
  });
  const client = files.get('extension/dist/extension.js')!.toString('utf8');
  // The bundle requires only `vscode` from outside (vscode-languageclient is inside it).
  expect(
    new Set(
      [...client.matchAll(/require\("([^"./][^"]*)"\)/g)]
        .map((m) => m[1]!)
        .filter((name) => !name.startsWith('node:') && !isBuiltin(name)),
    ),
  ).toEqual(new Set(['vscode']));
  expect(files.get('extension.vsixmanifest')!.toString('utf8')).toContain(
    '<Identity Language="en-US" Id="segc-seg" Version="0.1.0" Publisher="segc"',
  );
}, 60_000);
