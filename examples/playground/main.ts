/**
 * The playground page: a Monaco editor on a `.seg` file, with diagnostics and hover shapes from
 * the language worker (worker.ts), the architecture diagram redrawn after each edit, and a run of
 * the edited model on a picked image with its Grad-CAM (run-panel.ts). Monaco
 * itself is loaded by index.html (its AMD build, served beside this bundle) and reached through
 * the global `monaco`.
 */
import type * as Monaco from 'monaco-editor';
import { sources } from 'segc:bundled-sources';
import type { Range } from '../../src/lsp/analysis.js';
import type { EditorDiagnostic } from '../../src/lsp/diagnostics.js';
import type {} from './globals.js';
import { PLAYGROUND_FILE, type Reply, type Request } from './protocol.js';
import { startRunPanel } from './run-panel.js';

const KEYWORDS = [
  'import',
  'from',
  'as',
  'block',
  'model',
  'let',
  'input',
  'output',
  'return',
  'where',
  'for',
  'in',
  'if',
  'repeat',
  'true',
  'false',
];

function registerLanguage(monaco: typeof Monaco): void {
  monaco.languages.register({ id: 'seg', extensions: ['.seg'] });
  monaco.languages.setLanguageConfiguration('seg', {
    comments: { lineComment: '//', blockComment: ['/*', '*/'] },
    brackets: [
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
    ],
    autoClosingPairs: [
      { open: '{', close: '}' },
      { open: '[', close: ']' },
      { open: '(', close: ')' },
      { open: '"', close: '"' },
    ],
  });
  monaco.languages.setMonarchTokensProvider('seg', {
    keywords: KEYWORDS,
    tokenizer: {
      root: [
        [/\/\/.*$/, 'comment'],
        [/\/\*/, 'comment', '@comment'],
        [/"([^"\\]|\\.)*"/, 'string'],
        [/@[A-Za-z_]\w*/, 'annotation'],
        [/\d+(\.\d+)?([eE][-+]?\d+)?/, 'number'],
        [/[A-Za-z_]\w*/, { cases: { '@keywords': 'keyword', '@default': 'identifier' } }],
        [/->/, 'operator'],
      ],
      comment: [
        [/\*\//, 'comment', '@pop'],
        [/./, 'comment'],
      ],
    },
  });
}

const toMonaco = (range: Range) => ({
  startLineNumber: range.start.line + 1,
  startColumn: range.start.character + 1,
  endLineNumber: range.end.line + 1,
  endColumn: range.end.character + 1,
});

/** Graphviz's SVG, parsed as XML rather than set as HTML, so no script in it could run. */
function showDiagram(svg: string, model: string): void {
  const document_ = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const panel = document.getElementById('diagram')!;
  panel.replaceChildren(document.importNode(document_.documentElement, true));
  panel.dataset.model = model;
}

function start(monaco: typeof Monaco): void {
  registerLanguage(monaco);
  const model = monaco.editor.createModel(sources.files[sources.entry]!, 'seg', monaco.Uri.file(PLAYGROUND_FILE));
  const editor = monaco.editor.create(document.getElementById('editor')!, {
    model,
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 14,
  });
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const shown = { version: 0, shapes: false };
  const hovers = new Map<number, (reply: Extract<Reply, { kind: 'hover' }>) => void>();
  let nextHover = 0;
  const send = (request: Request) => worker.postMessage(request);
  const library: Record<string, string> = Object.fromEntries(
    Object.entries<string>(sources.files).filter(([path]) => path.startsWith('std/')),
  );
  const panel = startRunPanel(
    () => model.getValue(),
    library,
    (text) => model.setValue(text),
  );

  worker.onmessage = (event: MessageEvent<Reply>) => {
    const reply = event.data;
    if (reply.kind === 'hover') return hovers.get(reply.id)?.(reply);
    if (reply.kind === 'diagram') {
      if (reply.version === model.getVersionId()) showDiagram(reply.svg, reply.model);
      return;
    }
    if (reply.version !== model.getVersionId()) return;
    monaco.editor.setModelMarkers(
      model,
      'segc',
      reply.diagnostics.map((d: EditorDiagnostic) => ({
        ...toMonaco(d.range),
        message: d.message,
        code: d.code,
        severity:
          d.severity === 1
            ? monaco.MarkerSeverity.Error
            : d.severity === 2
              ? monaco.MarkerSeverity.Warning
              : monaco.MarkerSeverity.Info,
      })),
    );
    Object.assign(shown, { version: reply.version, shapes: reply.shapes });
    document.getElementById('status')!.textContent = reply.diagnostics.length
      ? `${reply.diagnostics.length} problem(s)`
      : reply.shapes
        ? 'no problems; shapes checked'
        : 'no problems so far; checking shapes…';
  };
  worker.onerror = (event) => {
    document.getElementById('status')!.textContent = `the language worker failed: ${event.message}`;
    console.error(`language worker: ${event.message}`);
  };
  model.onDidChangeContent(() => {
    send({ kind: 'update', version: model.getVersionId(), text: model.getValue() });
    panel.edited();
  });
  send({ kind: 'update', version: model.getVersionId(), text: model.getValue() });

  monaco.languages.registerHoverProvider('seg', {
    provideHover: (_model, position) =>
      new Promise((resolve) => {
        const id = nextHover++;
        hovers.set(id, (reply) => {
          hovers.delete(id);
          resolve(
            reply.contents && reply.range
              ? { contents: [{ value: reply.contents }], range: toMonaco(reply.range) }
              : null,
          );
        });
        send({ kind: 'hover', id, line: position.lineNumber - 1, character: position.column - 1 });
      }),
  });
  window.playground = { editor, shown, run: panel.run };
}

start(window.monaco);
