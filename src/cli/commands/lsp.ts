/**
 * `segc lsp --stdio`: the language server for editors, speaking the LSP over stdin and stdout.
 * It runs until the editor sends `exit`; stdout carries only protocol messages, so anything
 * printed by mistake goes to stderr.
 */
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { startServer } from '../../lsp/server.js';
import type { Parsed } from '../args.js';
import type { Io } from '../io.js';

export async function lsp(_parsed: Parsed, _io: Io): Promise<number> {
  console.log = console.error;
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  startServer(connection);
  return new Promise<number>(() => {});
}
