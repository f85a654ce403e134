/**
 * The VS Code side of segc's editor support: it starts `segc lsp --stdio` and connects it to the
 * editor with vscode-languageclient. Everything the editor shows (diagnostics, hover shapes,
 * definitions, completion, formatting, rename) comes from the server.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ExtensionContext, workspace } from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

/** The configured command, else the workspace's own segc (npm install segc), else segc on the PATH. */
function serverCommand(): string {
  const configured = workspace.getConfiguration('seg').get<string>('server.command');
  if (configured) return configured;
  for (const folder of workspace.workspaceFolders ?? []) {
    const local = join(folder.uri.fsPath, 'node_modules', '.bin', process.platform === 'win32' ? 'segc.cmd' : 'segc');
    if (existsSync(local)) return local;
  }
  return 'segc';
}

export async function activate(context: ExtensionContext): Promise<void> {
  const args = workspace.getConfiguration('seg').get<string[]>('server.args') ?? ['lsp', '--stdio'];
  const server: ServerOptions = { command: serverCommand(), args, transport: TransportKind.stdio };
  const options: LanguageClientOptions = {
    documentSelector: [{ language: 'seg' }],
    initializationOptions: {
      inputSize: workspace.getConfiguration('seg').get<[number, number] | null>('inputSize') ?? null,
    },
    synchronize: { fileEvents: workspace.createFileSystemWatcher('**/*.seg') },
  };
  client = new LanguageClient('seg', 'seg language server', server, options);
  context.subscriptions.push(client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
