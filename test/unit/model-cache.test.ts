import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DamagedPackageFile, loadModelPackage } from '../../src/captioner';
import { fetchGraphModel } from '../../src/worker/fetch-model';
import { ModelFileLoader } from '../../src/worker/model-cache';

/** Stands in for Cache Storage's one cache the worker opens: responses by URL. */
class FakeCache {
  readonly entries = new Map<string, Response>();

  async match(url: string): Promise<Response | undefined> {
    return this.entries.get(url)?.clone();
  }

  async put(url: string, response: Response): Promise<void> {
    this.entries.set(url, new Response(await response.arrayBuffer(), { headers: response.headers }));
  }

  async keys(): Promise<Request[]> {
    return [...this.entries.keys()].map((url) => new Request(url));
  }

  async delete(request: Request): Promise<boolean> {
    return this.entries.delete(request.url);
  }
}

const PACKAGE = 'http://localhost/models/m/0123456789ab/';
const OTHER_PACKAGE = 'http://localhost/models/n/ba9876543210/';
const SHARD = Uint8Array.from({ length: 16 }, (_, index) => index);

function modelJson(shardBytes: Uint8Array): string {
  return JSON.stringify({
    modelTopology: { node: [] },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [{ name: 'w', shape: [4], dtype: 'float32' }],
        sha256: [createHash('sha256').update(shardBytes).digest('hex')],
      },
    ],
  });
}

/** Puts a package's files in the cache as an earlier visit would have. */
function keepPackage(cache: FakeCache, packageUrl: string, files: Record<string, BodyInit>): void {
  for (const [name, body] of Object.entries(files)) cache.entries.set(new URL(name, packageUrl).href, new Response(body));
}

/** What the worker does when it loads a package (captioner.worker.ts): any failure is handed to forgetIfDamaged. */
async function loadAndForgetIfDamaged(files: ModelFileLoader, packageUrl: string, load: () => Promise<unknown>): Promise<unknown> {
  try {
    await load();
    return null;
  } catch (error) {
    await files.forgetIfDamaged(packageUrl, error);
    return error;
  }
}

describe('the model cache after a failed load', () => {
  let cache: FakeCache;

  beforeEach(() => {
    cache = new FakeCache();
    vi.stubGlobal('caches', { open: async () => cache });
    // Offline: every file must come from the cache.
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    keepPackage(cache, OTHER_PACKAGE, { 'model.json': modelJson(SHARD), 'group1-shard1of1.bin': SHARD });
  });

  afterEach(() => vi.unstubAllGlobals());

  it('keeps a sound package whatever else failed: a helper out of memory, a backend that would not start', async () => {
    keepPackage(cache, PACKAGE, { 'model.json': modelJson(SHARD), 'group1-shard1of1.bin': SHARD, 'card.json': '{}' });
    const kept = [...cache.entries.keys()];
    for (const failure of [new RangeError('WebAssembly.Memory(): could not allocate memory'), new Error('no backend could start')]) {
      const files = new ModelFileLoader(true);
      const error = await loadAndForgetIfDamaged(files, PACKAGE, async () => {
        await fetchGraphModel(PACKAGE, () => {}, files.fetch);
        throw failure;
      });
      expect(error).toBe(failure);
      expect(files.origin).toBe('cache');
    }
    expect([...cache.entries.keys()]).toEqual(kept);
  });

  it('keeps the package when a file is missing and the network is down', async () => {
    keepPackage(cache, PACKAGE, { 'model.json': modelJson(SHARD) });
    const files = new ModelFileLoader(true);
    const error = await loadAndForgetIfDamaged(files, PACKAGE, () => fetchGraphModel(PACKAGE, () => {}, files.fetch));
    expect(error).not.toBeInstanceOf(DamagedPackageFile);
    expect(cache.entries.has(`${PACKAGE}model.json`)).toBe(true);
  });

  it('forgets a package whose shard fails its check, and only that package', async () => {
    const damaged = SHARD.slice(0, 12);
    keepPackage(cache, PACKAGE, { 'model.json': modelJson(SHARD), 'group1-shard1of1.bin': damaged });
    const files = new ModelFileLoader(true);
    const error = await loadAndForgetIfDamaged(files, PACKAGE, () => fetchGraphModel(PACKAGE, () => {}, files.fetch));
    expect(error).toBeInstanceOf(DamagedPackageFile);
    expect((error as Error).message).toBe('group1-shard1of1.bin is damaged (12 bytes that do not match model.json)');
    expect([...cache.entries.keys()].filter((url) => url.startsWith(PACKAGE))).toEqual([]);
    expect([...cache.entries.keys()].filter((url) => url.startsWith(OTHER_PACKAGE))).toHaveLength(2);
  });

  it('forgets a package whose model.json, card.json or word_counts.txt does not parse', async () => {
    const unparsable: Record<string, Record<string, string>> = {
      'model.json truncated': { 'model.json': modelJson(SHARD).slice(0, 40) },
      'model.json of another kind': { 'model.json': '{"format": "layers-model"}' },
      'card.json truncated': { 'card.json': '{"name": "M"', 'word_counts.txt': 'a 1\n' },
      'card.json invalid': { 'card.json': '{"name": 3}', 'word_counts.txt': 'a 1\n' },
    };
    for (const [problem, fileTexts] of Object.entries(unparsable)) {
      keepPackage(cache, PACKAGE, fileTexts);
      const files = new ModelFileLoader(true);
      const readText = async (name: string) => (await files.fetch(new URL(name, PACKAGE).href)).text();
      const load = 'model.json' in fileTexts ? () => fetchGraphModel(PACKAGE, () => {}, files.fetch) : () => loadModelPackage({ model: `${PACKAGE}model.json`, readText });
      const error = await loadAndForgetIfDamaged(files, PACKAGE, load);
      expect(error, problem).toBeInstanceOf(DamagedPackageFile);
      expect([...cache.entries.keys()].filter((url) => url.startsWith(PACKAGE)), problem).toEqual([]);
    }
  });
});
