/**
 * A real LSP client for the tests: starts `segc lsp --stdio` from the sources (through tsx) and
 * talks JSON-RPC to it over the child's stdin and stdout with vscode-jsonrpc, as an editor does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  createMessageConnection,
  type MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

export interface Client {
  readonly connection: MessageConnection;
  /** Resolves with the first diagnostics published for `uri` (and that version, if given) that satisfy `accept`. */
  diagnostics(
    uri: string,
    accept: (diagnostics: readonly Diagnostic[]) => boolean,
    version?: number,
  ): Promise<Diagnostic[]>;
  /** The next diagnostics published for `uri` (each edit publishes twice: names, then shapes). */
  nextPublish(uri: string): Promise<PublishDiagnosticsParams>;
  stop(): Promise<number | null>;
}

export async function startClient(rootUri: string, initializationOptions?: unknown): Promise<Client> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bench/train-segc.ts', 'lsp', '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  const published: PublishDiagnosticsParams[] = [];
  const waiting: (() => void)[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    published.push(params);
    for (const wake of waiting.splice(0)) wake();
  });
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri,
    capabilities: {},
    workspaceFolders: null,
    initializationOptions,
  });
  await connection.sendNotification('initialized', {});
  const client: Client = {
    connection,
    async diagnostics(uri, accept, version) {
      for (;;) {
        const found = published.find(
          (p) => p.uri === uri && (version === undefined || p.version === version) && accept(p.diagnostics),
        );
        if (found) {
          published.splice(0, published.indexOf(found) + 1);
          return found.diagnostics;
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    },
    nextPublish(uri) {
      return client.diagnostics(uri, () => true).then((diagnostics) => ({ uri, diagnostics }));
    },
    async stop() {
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
      const code = await exited;
      connection.dispose();
      return code;
    },
  };
  return client;
}
