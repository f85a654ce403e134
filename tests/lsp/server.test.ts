/**
 * The language server driven over stdio by a real client (vscode-jsonrpc), as an editor drives
 * it: open a file, edit it, and check what comes back at exact ranges. The expected shapes and
 * parameter counts are worked out by hand from the op definitions (a 3×3 conv from 1 to 16
 * channels has 3·3·1·16 + 16 = 160 parameters; `same` padding keeps 28×28).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type {
  Hover,
  Location,
  TextEdit,
  WorkspaceEdit,
  CompletionItem,
  SignatureHelp,
  CodeAction,
} from 'vscode-languageserver-protocol';
import { type Client, startClient } from './client.js';

const SOURCE = `import { GapHead, ASPP } from "std/heads.seg"

model Tiny(classes: int = 10) {
  input image: f32[N, 28, 28, 1]
  let features = image -> conv(16, 3) -> relu
  let logits = GapHead(features, classes)
  output logits = logits
}
`;

const HEADS = pathToFileURL(resolve('std/heads.seg')).href;
let client: Client;
let uri: string;
let version = 1;

const at = (line: number, character: number) => ({ textDocument: { uri }, position: { line, character } });
const range = (line: number, start: number, end: number, endLine = line) => ({
  start: { line, character: start },
  end: { line: endLine, character: end },
});

async function edit(text: string): Promise<void> {
  await client.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: ++version },
    contentChanges: [{ text }],
  });
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'segc-lsp-'));
  const file = join(dir, 'tiny.seg');
  writeFileSync(file, SOURCE);
  uri = pathToFileURL(file).href;
  client = await startClient(pathToFileURL(dir).href);
  await client.connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'seg', version, text: SOURCE },
  });
}, 30_000);

afterAll(async () => {
  expect(await client.stop()).toBe(0);
});

describe('segc lsp --stdio', () => {
  test('a clean file publishes no diagnostics', async () => {
    expect(await client.diagnostics(uri, () => true, version)).toEqual([]);
  });

  test('hover on a let shows its shape, layer and receptive field', async () => {
    const hover = (await client.connection.sendRequest('textDocument/hover', at(5, 25))) as Hover;
    expect(hover.range).toEqual(range(5, 23, 31));
    expect((hover.contents as { value: string }).value).toBe(
      '```seg\n(let) features\n```\n\n---\n\n**shape** `f32[N, 28, 28, 16]` in model `Tiny`  \nlayer `features/relu` (relu)  \nreceptive field 3 px, output stride 1  \nsizes: N',
    );
  });

  test('hover on a pipeline step shows the op, its parameters and its output', async () => {
    const hover = (await client.connection.sendRequest('textDocument/hover', at(4, 27))) as Hover;
    const text = (hover.contents as { value: string }).value;
    expect(hover.range).toEqual(range(4, 26, 30));
    expect(
      text.startsWith('```seg\nconv(x: tensor, filters: int, kernel: int2 = 3, stride: int2 = 1, dilation: int2 = 1,'),
    ).toBe(true);
    expect(text).toContain('- `dilation`: atrous rate: kernel taps are this many pixels apart');
    expect(
      text.endsWith(
        '**shape** `f32[N, 28, 28, 16]` in model `Tiny`  \nlayer `features/conv` (conv), 160 parameters  \nreceptive field 3 px, output stride 1  \nsizes: N',
      ),
    ).toBe(true);
  });

  test('hover on a block call shows the block and the tensor it returns', async () => {
    const hover = (await client.connection.sendRequest('textDocument/hover', at(5, 16))) as Hover;
    const text = (hover.contents as { value: string }).value;
    expect(
      text.startsWith('```seg\nblock GapHead(x, classes: int)\n```\nGlobal average pooling then one dense layer'),
    ).toBe(true);
    // 16 features × 10 classes + 10 biases.
    expect(text).toContain(
      '**shape** `f32[N, 10]` in model `Tiny`  \nlayer `logits/gap_head/dense` (dense), 170 parameters',
    );
  });

  test('go to definition leads into std/ and to lets', async () => {
    expect(await client.connection.sendRequest('textDocument/definition', at(5, 16))).toEqual([
      { uri: HEADS, range: range(60, 6, 13) },
    ]);
    expect(await client.connection.sendRequest('textDocument/definition', at(5, 25))).toEqual([
      { uri, range: range(4, 6, 14) },
    ]);
  });

  test('find references of a let, with and without its declaration', async () => {
    const all = (await client.connection.sendRequest('textDocument/references', {
      ...at(4, 8),
      context: { includeDeclaration: true },
    })) as Location[];
    expect(all).toEqual([
      { uri, range: range(4, 6, 14) },
      { uri, range: range(5, 23, 31) },
    ]);
    const uses = (await client.connection.sendRequest('textDocument/references', {
      ...at(4, 8),
      context: { includeDeclaration: false },
    })) as Location[];
    expect(uses).toEqual([{ uri, range: range(5, 23, 31) }]);
  });

  test('rename a let and a parameter', async () => {
    expect(await client.connection.sendRequest('textDocument/prepareRename', at(4, 8))).toEqual(range(4, 6, 14));
    const renamed = (await client.connection.sendRequest('textDocument/rename', {
      ...at(4, 8),
      newName: 'feats',
    })) as WorkspaceEdit;
    expect(renamed.changes).toEqual({
      [uri]: [
        { range: range(4, 6, 14), newText: 'feats' },
        { range: range(5, 23, 31), newText: 'feats' },
      ],
    });
    const classes = (await client.connection.sendRequest('textDocument/rename', {
      ...at(2, 12),
      newName: 'k',
    })) as WorkspaceEdit;
    expect(classes.changes).toEqual({
      [uri]: [
        { range: range(2, 11, 18), newText: 'k' },
        { range: range(5, 33, 40), newText: 'k' },
      ],
    });
    await expect(client.connection.sendRequest('textDocument/rename', { ...at(4, 8), newName: 'let' })).rejects.toThrow(
      '`let` is not a name',
    );
  });

  test('completion after -> offers operations and blocks; inside a call, its arguments', async () => {
    const stages = (await client.connection.sendRequest('textDocument/completion', at(4, 41))) as CompletionItem[];
    const labels = stages.map((i) => i.label);
    expect(labels).toContain('conv');
    expect(labels).toContain('GapHead');
    expect(labels).not.toContain('features');
    const args = (await client.connection.sendRequest('textDocument/completion', at(4, 36))) as CompletionItem[];
    expect(args.find((i) => i.label === 'dilation:')).toEqual({
      label: 'dilation:',
      kind: 10,
      detail: 'dilation: int2 = 1',
      documentation: 'atrous rate: kernel taps are this many pixels apart',
      insertText: 'dilation: ',
      sortText: '0dilation',
    });
    expect(args.map((i) => i.label)).toContain('image');
    expect(args.map((i) => i.label)).not.toContain('x:');
  });

  test('signature help inside a pipeline stage counts the piped tensor', async () => {
    const help = (await client.connection.sendRequest('textDocument/signatureHelp', at(4, 35))) as SignatureHelp;
    expect(help.signatures[0]!.label.startsWith('conv(x: tensor, filters: int, kernel: int2 = 3,')).toBe(true);
    expect(help.activeParameter).toBe(2);
  });

  test('document symbols and semantic tokens', async () => {
    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as {
      name: string;
      children: { name: string; detail: string }[];
    }[];
    expect(symbols.map((s) => s.name)).toEqual(['Tiny']);
    expect(symbols[0]!.children.map((c) => `${c.detail} ${c.name}`)).toEqual([
      'int classes',
      'input image',
      'let features',
      'let logits',
      'output logits',
    ]);
    const tokens = (await client.connection.sendRequest('textDocument/semanticTokens/full', {
      textDocument: { uri },
    })) as { data: number[] };
    // The first two tokens: `GapHead` (a block, line 0 col 9) and `ASPP` (col 18).
    expect(tokens.data.slice(0, 10)).toEqual([0, 9, 7, 1, 0, 0, 9, 4, 1, 0]);
  });

  test('a typo as it is typed: the diagnostic, then its quick fix', async () => {
    await edit(SOURCE.replace('-> relu', '-> rleu'));
    const diagnostics = await client.diagnostics(uri, (d) => d.length > 0, version);
    expect(diagnostics).toEqual([
      {
        range: range(4, 41, 45),
        severity: 1,
        code: 'E0211',
        source: 'segc',
        message: 'unknown block or operation `rleu`\nhint: did you mean `relu`?',
        data: { replacement: 'relu' },
      },
    ]);
    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: range(4, 41, 45),
      context: { diagnostics },
    })) as CodeAction[];
    expect(actions.map((a) => [a.title, a.edit])).toEqual([
      ['Change to `relu`', { changes: { [uri]: [{ range: range(4, 41, 45), newText: 'relu' }] } }],
    ]);
  });

  test('a mistake inside a std/ block shows at the call, with the chain as related locations', async () => {
    await edit(
      SOURCE.replace(
        'let logits = GapHead(features, classes)',
        'let logits = ASPP(features, rates: [0]) -> GapHead(classes)',
      ),
    );
    const diagnostics = await client.diagnostics(uri, (d) => d.length > 0, version);
    expect(diagnostics).toEqual([
      {
        range: range(5, 15, 41),
        severity: 1,
        code: 'E0230',
        source: 'segc',
        message: `conv: \`dilation\` must be at least 1, got 0\n(in ${resolve('std/heads.seg')}:15:29)`,
        relatedInformation: [
          { location: { uri: HEADS, range: range(14, 28, 69) }, message: 'the mistake is here' },
          { location: { uri, range: range(5, 15, 41) }, message: 'in block `ASPP` called here' },
        ],
      },
    ]);
  });

  test('formatting returns the printer text as one edit', async () => {
    const messy = 'model   M() {\n  input x: f32[N, 8, 8, 3]\n  output y = x->relu\n}\n';
    await edit(messy);
    await client.diagnostics(uri, () => true, version);
    const edits = (await client.connection.sendRequest('textDocument/formatting', {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    })) as TextEdit[];
    expect(edits).toEqual([
      { range: range(0, 0, 0, 4), newText: 'model M() {\n  input x: f32[N, 8, 8, 3]\n  output y = x -> relu\n}\n' },
    ]);
  });

  test('while a call is typed (the file does not parse): enum values, block signature help', async () => {
    const typing = 'model M() {\n  input x: f32[N, 8, 8, 3]\n  let y = x -> upsample(factor: 2, mode: \n}\n';
    await edit(typing);
    await client.diagnostics(uri, (d) => d.length > 0, version);
    const values = (await client.connection.sendRequest('textDocument/completion', at(2, 41))) as CompletionItem[];
    expect(values.filter((i) => i.kind === 20).map((i) => i.label)).toEqual(['nearest', 'bilinear']);
    await edit(SOURCE.replace('GapHead(features, classes)', 'GapHead(features, '));
    await client.diagnostics(uri, (d) => d.length > 0, version);
    const help = (await client.connection.sendRequest('textDocument/signatureHelp', at(5, 33))) as SignatureHelp;
    expect(help.signatures[0]!.label).toBe('block GapHead(x, classes: int)');
    expect(help.activeParameter).toBe(1);
  });

  test('a file that does not parse gets syntax diagnostics and no formatting', async () => {
    await edit('model M() {\n  input x: f32[N, 8, 8, 3]\n  output y = x -> \n}\n');
    expect(await client.diagnostics(uri, (d) => d.length > 0, version)).toEqual([
      {
        range: range(3, 0, 1),
        severity: 1,
        code: 'E0119',
        source: 'segc',
        message:
          'expected an operation or block after `->` but found `}`\nhint: a stage is a name or a call, as in `-> relu` or `-> conv(64, 3)`',
      },
    ]);
    expect(
      await client.connection.sendRequest('textDocument/formatting', {
        textDocument: { uri },
        options: { tabSize: 2, insertSpaces: true },
      }),
    ).toEqual([]);
  });
});

describe('segc lsp --stdio with an input size from the editor', () => {
  test('hover also shows the shape at that size when the model input is symbolic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segc-lsp-'));
    const file = join(dir, 'sized.seg');
    const text =
      'model M() {\n  input x: f32[N, H, W, 3] where H % 4 == 0, W % 4 == 0\n  let y = x -> conv(8, 3, stride: 2) -> maxpool(2)\n  output z = y\n}\n';
    writeFileSync(file, text);
    const sizedUri = pathToFileURL(file).href;
    const sized = await startClient(pathToFileURL(dir).href, { inputSize: [64, 32] });
    await sized.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: sizedUri, languageId: 'seg', version: 1, text },
    });
    await sized.diagnostics(sizedUri, () => true);
    const hover = (await sized.connection.sendRequest('textDocument/hover', {
      textDocument: { uri: sizedUri },
      position: { line: 3, character: 13 },
    })) as Hover;
    // stride 2 then a 2×2 pool: a quarter of each side, 64 × 32 → 16 × 8; receptive field
    // 3 (the conv) + (2 - 1) · 2 (the pool's window at the conv's stride) = 5.
    expect((hover.contents as { value: string }).value).toBe(
      '```seg\n(let) y\n```\n\n---\n\n**shape** `f32[N, H/4, W/4, 8]` in model `M`  \nlayer `y/maxpool` (maxpool)  \nreceptive field 5 px, output stride 4  \nsizes: N, H (H % 4 == 0), W (W % 4 == 0)  \nat H = 64, W = 32: `f32[N, 16, 8, 8]`',
    );
    expect(await sized.stop()).toBe(0);
  }, 30_000);
});

test('the server exits with 1 when the editor closes its stdin without shutdown', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/train-segc.ts', 'lsp', '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.stdin.end();
  expect(await exited).toBe(1);
}, 30_000);
