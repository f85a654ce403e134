/**
 * `segc lsp --stdio`: the language server for editors, speaking the LSP over stdin and stdout.
 * It runs until the editor sends `exit` (exit code 0 after `shutdown`, 1 without, as the
 * protocol asks) or closes stdin (exit code 1); stdout carries only protocol messages, so
 * anything printed by mistake goes to stderr.
 */
import {
  createConnection,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver/node';
import { startServer } from '../../lsp/server.js';
import type { Parsed } from '../args.js';
import type { Io } from '../io.js';

export async function lsp(_parsed: Parsed, _io: Io): Promise<number> {
  console.log = console.error;
  const reader = new StreamMessageReader(process.stdin);
  const connection = createConnection(ProposedFeatures.all, reader, new StreamMessageWriter(process.stdout));
  startServer(connection);
  return new Promise<number>((resolve) => reader.onClose(() => resolve(1)));
}
