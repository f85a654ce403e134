/**
 * A tiny static file server for the built page, bound to 127.0.0.1 only. WebGPU needs a secure
 * context, which a loopback address is; `.wasm` is served as application/wasm so that tfjs can
 * compile it while it streams.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
};

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The file a URL path names inside `root`, or undefined when it would leave `root`. */
export function fileForPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return undefined;
  }
  const relativePath = normalize(decoded.endsWith('/') ? `${decoded}index.html` : decoded).replace(/^([/\\])+/, '');
  const file = resolve(root, relativePath);
  return file === resolve(root) || file.startsWith(resolve(root) + sep) ? file : undefined;
}

async function respond(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const file = fileForPath(root, request.url ?? '/');
  if (request.method !== 'GET' && request.method !== 'HEAD') return void response.writeHead(405).end();
  const found = file ? await stat(file).catch(() => undefined) : undefined;
  if (!file || !found?.isFile())
    return void response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  const body = await readFile(file);
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': body.byteLength,
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Serves `root` on 127.0.0.1; port 0 picks a free one. */
export async function serveDirectory(root: string, port = 0): Promise<RunningServer> {
  const server = createServer((request, response) => {
    respond(root, request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', done);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
