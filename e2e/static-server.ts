/**
 * A plain static file server, like any static host or CDN: files only, no special headers but the
 * validator every such host sends (an ETag, answered with 304 Not Modified when the browser revalidates
 * its copy), the site root at any URL path. It logs the files it sends, which the offline test and
 * `npm run bench` read.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
};

export interface ServedFile {
  urlPath: string;
  /** The file on disk (a folder's URL serves its index.html). */
  file: string;
  bytes: number;
  /** The response body's bytes: gzip's when the server compressed it (StaticServerOptions.gzipText), else the file's. */
  wireBytes: number;
}

export interface StaticServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Every file sent (200) since the start or the last takeLog(); a 304 sends none. */
  takeLog(): ServedFile[];
  /** Every request that found no file. */
  notFound: string[];
  close(): Promise<void>;
}

/** The file for a URL path under `root`, or null; folders serve their index.html. */
async function resolveFile(root: string, urlPath: string): Promise<string | null> {
  const relative = path.normalize(decodeURIComponent(urlPath)).replace(/^([/\\]|\.\.)+/, '');
  let file = path.join(root, relative);
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = path.join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  return info?.isFile() ? file : null;
}

export interface StaticServerOptions {
  /** Extra response headers for a URL path (a plain static host sends none). */
  headers?: (urlPath: string) => Readonly<Record<string, string>>;
  /** Sends text (scripts, styles, JSON, SVG) gzip-compressed to browsers that accept it, as CDNs do. */
  gzipText?: boolean;
}

/** The content types a CDN compresses; model weights, wasm and images go as they are. */
const COMPRESSIBLE = /^(text\/|application\/(json|manifest\+json)|image\/svg\+xml)/;

export async function startStaticServer(root: string, options: StaticServerOptions = {}): Promise<StaticServer> {
  let log: ServedFile[] = [];
  const notFound: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const urlPath = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = await resolveFile(root, urlPath);
    if (!file) {
      notFound.push(urlPath);
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const { size, mtimeMs } = await stat(file);
    const contentType = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    const gzip = options.gzipText === true && COMPRESSIBLE.test(contentType) && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    const etag = `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}${gzip ? '-gzip' : ''}"`;
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, { ETag: etag }).end();
      return;
    }
    const headers = { ETag: etag, ...options.headers?.(urlPath), 'Content-Type': contentType };
    if (gzip) {
      const body = gzipSync(await readFile(file));
      response.writeHead(200, { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': body.length }).end(body);
      log.push({ urlPath, file, bytes: size, wireBytes: body.length });
      return;
    }
    response.writeHead(200, { ...headers, 'Content-Length': size });
    createReadStream(file).pipe(response);
    log.push({ urlPath, file, bytes: size, wireBytes: size });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    takeLog: () => {
      const taken = log;
      log = [];
      return taken;
    },
    notFound,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
