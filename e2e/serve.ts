/**
 * Serves the production build (dist/) for the end-to-end tests, with the test models folder laid
 * over /models/: the generated fixture never enters public/models or dist/.
 *   tsx e2e/serve.ts [port]
 */
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { HOST_HEADERS } from '../tools/csp/content-security-policy';
import { E2E_MODELS_DIR, E2E_PORT } from './paths';
import { CONTENT_TYPES } from './static-server';

const DIST_DIR = path.resolve('dist');

/** The file for a URL path: /models/* from the test models folder first, everything else from dist/. */
async function resolveFile(urlPath: string): Promise<string | null> {
  const relative = path.normalize(decodeURIComponent(urlPath)).replace(/^([/\\]|\.\.)+/, '');
  const candidates = relative.startsWith(`models${path.sep}`)
    ? [path.join(E2E_MODELS_DIR, relative.slice('models'.length + 1)), path.join(DIST_DIR, relative)]
    : [path.join(DIST_DIR, relative || 'index.html')];
  for (const candidate of candidates) {
    const info = await stat(candidate).catch(() => null);
    if (info?.isFile()) return candidate;
    if (info?.isDirectory() && existsSync(path.join(candidate, 'index.html'))) return path.join(candidate, 'index.html');
  }
  return null;
}

if (!existsSync(path.join(DIST_DIR, 'index.html'))) {
  console.error('dist/index.html is missing: run `npm run build` first.');
  process.exit(1);
}

const port = Number(process.argv[2] ?? E2E_PORT);
createServer(async (request, response) => {
  const file = await resolveFile(new URL(request.url ?? '/', 'http://localhost').pathname);
  if (!file) {
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  const { size } = await stat(file);
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': 'no-store',
    // The policy as a header too, so the worker (whose policy comes from its own response) runs
    // under it, and cross-origin isolation, as README "Static hosting" asks of hosts that can.
    ...HOST_HEADERS,
  });
  createReadStream(file).pipe(response);
}).listen(port, '127.0.0.1', () => console.log(`serving dist/ with test models on http://127.0.0.1:${port}/`));
