/**
 * The language server: the LSP over a connection (stdio for `segc lsp --stdio`), answered by the
 * workspace and the feature modules beside this one. After each edit the server publishes the
 * diagnostics of parsing and name resolution at once, then elaborates the models (shapes) once
 * the edits pause and publishes again.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type Connection,
  type InitializeResult,
  TextDocumentSyncKind,
  TextDocuments,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { STD_DIR, nodeHost } from '../compiler/node-host.js';
import type { CompilerHost } from '../program/modules.js';
import { type Analysis, Workspace } from './analysis.js';
import { completions, signatureHelp } from './completion.js';
import { editorDiagnostics, quickFixes, type EditorDiagnostic } from './diagnostics.js';
import { formatText } from './format.js';
import { hover } from './hover.js';
import {
  TOKEN_MODIFIERS,
  TOKEN_TYPES,
  definition,
  documentSymbols,
  references,
  rename,
  renameRange,
  semanticTokens,
} from './navigation.js';

/** Absolute paths for every file, so one file opened twice is one document. */
function editorHost(): CompilerHost {
  const files = nodeHost();
  return {
    readFile: (path) => files.readFile(path),
    resolveImport(from, specifier) {
      if (specifier.startsWith('std/')) return join(STD_DIR, specifier.slice(4));
      return isAbsolute(specifier) ? specifier : resolve(dirname(from), specifier);
    },
  };
}

const CAPABILITIES: InitializeResult['capabilities'] = {
  textDocumentSync: TextDocumentSyncKind.Incremental,
  hoverProvider: true,
  definitionProvider: true,
  referencesProvider: true,
  completionProvider: { triggerCharacters: ['>', '(', ',', ':'] },
  signatureHelpProvider: { triggerCharacters: ['(', ','] },
  documentFormattingProvider: true,
  renameProvider: { prepareProvider: true },
  documentSymbolProvider: true,
  semanticTokensProvider: {
    legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] },
    full: true,
  },
  codeActionProvider: { codeActionKinds: ['quickfix'] },
};

export interface ServerOptions {
  /** Milliseconds without edits before the models are elaborated again (default 0). */
  readonly elaborateDelay?: number;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const workspace = new Workspace(editorHost());
  const documents = new TextDocuments(TextDocument);
  const uris = new Map<string, string>();
  const pathOf = (uri: string): string => {
    const path = uri.startsWith('file:') ? fileURLToPath(uri) : uri;
    uris.set(path, uri);
    return path;
  };
  const uriOf = (path: string): string => uris.get(path) ?? (isAbsolute(path) ? pathToFileURL(path).href : path);
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const publish = (path: string, analyse: () => Analysis, version: number) => {
    let diagnostics;
    try {
      diagnostics = editorDiagnostics(workspace, path, analyse().diagnostics).map((d) => toLsp(d, uriOf));
    } catch (error) {
      // A bug in segc must not take the editor's server down with it: say so in the file.
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      connection.console.error(`segc lsp: internal error on ${path}: ${error instanceof Error ? error.stack : detail}`);
      diagnostics = [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: 1 as const,
          source: 'segc',
          message: `internal error in segc (not in this file): ${detail}\nplease report it`,
        },
      ];
    }
    void connection.sendDiagnostics({ uri: uriOf(path), version, diagnostics });
  };

  const changed = (document: TextDocument) => {
    const path = pathOf(document.uri);
    workspace.open(path, document.getText());
    publish(path, () => workspace.check(path), document.version);
    clearTimeout(timers.get(path));
    timers.set(
      path,
      setTimeout(() => {
        timers.delete(path);
        const current = documents.get(document.uri);
        if (current?.version !== document.version) return;
        publish(path, () => workspace.elaborate(path), document.version);
      }, options.elaborateDelay ?? 0),
    );
  };
  documents.onDidChangeContent((event) => changed(event.document));
  documents.onDidClose((event) => {
    const path = pathOf(event.document.uri);
    workspace.close(path);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  });

  const at = (uri: string, position: { line: number; character: number }) => {
    const path = pathOf(uri);
    const analysis = workspace.elaborate(path);
    return { path, analysis, offset: workspace.linesOf(path, analysis.text).offset(position) };
  };
  const others = (path: string) =>
    documents
      .all()
      .map((d) => pathOf(d.uri))
      .filter((p) => p !== path)
      .map((p) => workspace.check(p));
  const toLocation = (l: { path: string; range: unknown }) => ({ uri: uriOf(l.path), range: l.range as never });

  let inputSize: [number, number] | undefined;
  connection.onInitialize((params): InitializeResult => {
    inputSize = parseInputSize((params.initializationOptions as { inputSize?: unknown } | undefined)?.inputSize);
    return { capabilities: CAPABILITIES, serverInfo: { name: 'segc' } };
  });

  connection.onHover(({ textDocument, position }) => {
    const { analysis, offset } = at(textDocument.uri, position);
    const found = hover(workspace, analysis, offset, inputSize);
    return found ? { contents: { kind: 'markdown', value: found.contents }, range: found.range } : null;
  });
  connection.onDefinition(({ textDocument, position }) => {
    const { analysis, offset } = at(textDocument.uri, position);
    return definition(workspace, analysis, offset).map(toLocation);
  });
  connection.onReferences(({ textDocument, position, context }) => {
    const { path, analysis, offset } = at(textDocument.uri, position);
    return references(workspace, analysis, offset, context.includeDeclaration, others(path)).map(toLocation);
  });
  connection.onCompletion(({ textDocument, position }) => {
    const path = pathOf(textDocument.uri);
    const analysis = workspace.check(path);
    return completions(analysis, workspace.linesOf(path, analysis.text).offset(position)) as never;
  });
  connection.onSignatureHelp(({ textDocument, position }) => {
    const path = pathOf(textDocument.uri);
    const analysis = workspace.check(path);
    const help = signatureHelp(analysis, workspace.linesOf(path, analysis.text).offset(position));
    if (!help) return null;
    const { signature } = help;
    return {
      signatures: [
        {
          label: signature.label,
          documentation: signature.doc,
          parameters: signature.parameters.map((p) => ({ label: p.label, documentation: p.doc })),
        },
      ],
      activeSignature: 0,
      activeParameter: help.activeParameter,
    };
  });
  connection.onDocumentFormatting(({ textDocument }) => {
    const path = pathOf(textDocument.uri);
    const text = workspace.text(path) ?? '';
    const formatted = formatText(text, path);
    if (formatted === undefined) return [];
    const lines = workspace.linesOf(path, text);
    return [{ range: { start: { line: 0, character: 0 }, end: lines.place(text.length) }, newText: formatted }];
  });
  connection.onPrepareRename(({ textDocument, position }) => {
    const { analysis, offset } = at(textDocument.uri, position);
    return renameRange(workspace, analysis, offset) ?? null;
  });
  connection.onRenameRequest(({ textDocument, position, newName }) => {
    const { path, analysis, offset } = at(textDocument.uri, position);
    const edits = rename(workspace, analysis, offset, newName, others(path));
    if (typeof edits === 'string') throw new Error(edits);
    const changes: Record<string, { range: never; newText: string }[]> = {};
    for (const edit of edits)
      (changes[uriOf(edit.path)] ??= []).push({ range: edit.range as never, newText: edit.newText });
    return { changes };
  });
  connection.onDocumentSymbol(
    ({ textDocument }) => documentSymbols(workspace, workspace.check(pathOf(textDocument.uri))) as never,
  );
  connection.languages.semanticTokens.on(({ textDocument }) => ({
    data: semanticTokens(workspace, workspace.check(pathOf(textDocument.uri))),
  }));
  connection.onCodeAction(({ textDocument, context }) => {
    const path = pathOf(textDocument.uri);
    const analysis = workspace.elaborate(path);
    const mine = editorDiagnostics(workspace, path, analysis.diagnostics);
    const asked = mine.filter((d) =>
      context.diagnostics.some(
        (c) =>
          c.code === d.code &&
          c.range.start.line === d.range.start.line &&
          c.range.start.character === d.range.start.character,
      ),
    );
    return quickFixes(asked).map((fix) => ({
      title: fix.title,
      kind: 'quickfix',
      diagnostics: [toLsp(fix.diagnostic, uriOf)],
      isPreferred: true,
      edit: { changes: { [textDocument.uri]: [{ range: fix.range as never, newText: fix.newText }] } },
    }));
  });

  documents.listen(connection);
  connection.listen();
}

/** `[513, 513]` from the editor's settings; anything else means no fixed size. */
function parseInputSize(value: unknown): [number, number] | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [height, width] = value as unknown[];
  return Number.isSafeInteger(height) && Number.isSafeInteger(width) && (height as number) > 0 && (width as number) > 0
    ? [height as number, width as number]
    : undefined;
}

function toLsp(d: EditorDiagnostic, uriOf: (path: string) => string) {
  return {
    range: d.range as never,
    severity: d.severity,
    code: d.code,
    source: d.source,
    message: d.message,
    ...(d.relatedInformation
      ? {
          relatedInformation: d.relatedInformation.map((r) => ({
            location: { uri: uriOf(r.location.path), range: r.location.range as never },
            message: r.message,
          })),
        }
      : {}),
    ...(d.data ? { data: d.data } : {}),
  };
}
