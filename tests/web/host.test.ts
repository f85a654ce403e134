/** The in-memory compiler host and the static server's path mapping. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledSources, DEFAULT_MODEL_FILE } from '../../examples/web/bundle.js';
import { fileForPath } from '../../examples/web/serve.js';
import { compileText } from '../helpers/compile.js';
import { weightDeclarations } from '../../src/runtime/model.js';
import { compileBundled, joinPath, memoryHost } from '../../src/web/index.js';
import { compileModelFile } from '../../examples/web/assets.js';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';

describe('joinPath', () => {
  it.each([
    ['examples', './a.seg', 'examples/a.seg'],
    ['examples/web', '../b.seg', 'examples/b.seg'],
    ['', 'c.seg', 'c.seg'],
    ['a/b', '../../../d.seg', '../d.seg'],
    ['a', './x/./y/../z.seg', 'a/x/z.seg'],
  ])('%s + %s = %s', (directory, relative, expected) => {
    expect(joinPath(directory, relative)).toBe(expected);
  });
});

describe('memoryHost', () => {
  const host = memoryHost({ 'examples/m.seg': 'model', 'std/heads.seg': 'heads' });

  it('resolves std/ imports to the bundled library and others relative to the importer', () => {
    expect(host.resolveImport('examples/m.seg', 'std/heads.seg')).toBe('std/heads.seg');
    expect(host.resolveImport('examples/m.seg', './blocks.seg')).toBe('examples/blocks.seg');
    expect(host.readFile('std/heads.seg')).toBe('heads');
    expect(host.readFile('std/missing.seg')).toBeUndefined();
  });

  it('compiles the bundled example to the graph the disk host gives', () => {
    const fromMemory = compileBundled(bundledSources(DEFAULT_MODEL_FILE));
    const fromDisk = compileModelFile(DEFAULT_MODEL_FILE);
    expect(fromMemory.name).toBe(fromDisk.name);
    expect(fromMemory.graph!.nodes.map((node) => [node.op, node.name])).toEqual(
      fromDisk.graph!.nodes.map((node) => [node.op, node.name]),
    );
    expect(weightDeclarations(fromMemory.graph!).map((w) => [w.name, w.shape])).toEqual(
      weightDeclarations(fromDisk.graph!).map((w) => [w.name, w.shape]),
    );
    expect(fromMemory.sizes.constraints.map((c) => c.text)).toEqual(['H % 16 == 0', 'W % 16 == 0']);
  });

  it('reports a missing import as a diagnostic naming the file', () => {
    const sources = { entry: 'm.seg', files: { 'm.seg': 'import { Nope } from "std/nope.seg"\n' } };
    let caught: unknown;
    try {
      compileBundled(sources);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DiagnosticError);
    const diagnostic = (caught as DiagnosticError).diagnostics[0]!;
    expect([diagnostic.code, diagnostic.message, diagnostic.span.start.line]).toEqual([
      'E0201',
      'cannot find the file `std/nope.seg`',
      1,
    ]);
    // The same source through the disk host reports the same problem.
    expect(compileText('import { Nope } from "std/nope.seg"\n').diagnostics[0]!.code).toBe('E0201');
  });

  it('reports an entry that is not among the sources', () => {
    expect(() => compileBundled({ entry: 'absent.seg', files: {} })).toThrow(
      /E0201: cannot find the file `absent.seg` among the bundled sources/,
    );
  });
});

describe('fileForPath', () => {
  const root = '/srv/site';

  it('maps URL paths into the root and / to index.html', () => {
    expect(fileForPath(root, '/')).toBe(join(root, 'index.html'));
    expect(fileForPath(root, '/tfjs/a.wasm?x=1')).toBe(join(root, 'tfjs/a.wasm'));
    expect(fileForPath(root, '/samples/shape%201.png')).toBe(join(root, 'samples/shape 1.png'));
  });

  it('keeps paths that climb out of the root inside it, and refuses undecodable ones', () => {
    expect(fileForPath(root, '/../etc/passwd')).toBe(join(root, 'etc/passwd'));
    expect(fileForPath(root, '/%2e%2e/%2e%2e/etc/passwd')).toBe(join(root, 'etc/passwd'));
    expect(fileForPath(root, '/%E0%A4%A')).toBeUndefined();
  });
});
