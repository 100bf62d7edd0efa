import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DamagedPackageFile } from '../../src/captioner';
import { fileModelHandler, initNodeBackend } from '../../src/node/runtime';
import { fetchGraphModel } from '../../src/worker/fetch-model';
import { ModelFileLoader } from '../../src/worker/model-cache';
import { packageBytes, versionModelPackages } from '../../tools/build/model-versions';
import { parseModelList } from '../../src/captioner/model-list';
import { GraphBuilder, removeUnusedSharedFiles, sharedFilesOf, writeGraphModel, type SharedWeights } from '../../tools/graph';
import { REPO_ROOT } from './helpers/fixture';

/**
 * Two packages (an English and a German one, say) whose graphs share the "encoder" weights: y = x · encoder · decoder.
 * The encoder's numbers are the same in both; each decoder is its own.
 */
function packageGraph(encoder: number[], decoder: number[]) {
  const graph = new GraphBuilder();
  const x = graph.placeholder('x', 'float32', [1, 2]);
  const encoded = graph.op('encoded', 'MatMul', [x, graph.floatConstant('encoder/weights', [2, 2], encoder)]);
  graph.op('y', 'MatMul', [encoded, graph.floatConstant('decoder/weights', [2, 1], decoder)]);
  return graph.build();
}

const SHARED: SharedWeights = { folder: '../encoders/toy', prefix: 'toy-encoder', holds: (weight) => weight.name.startsWith('encoder/') };
const ENCODER = [1, 2, 3, 4];

async function runPackage(modelJson: string, x: number[]): Promise<number[]> {
  const model = await loadGraphModel(fileModelHandler(modelJson));
  const y = model.execute({ x: tf.tensor2d(x, [1, 2]) }, 'y') as tf.Tensor;
  const values = Array.from(await y.data());
  tf.dispose(y);
  model.dispose();
  return values;
}

describe('weights shared between packages (the encoder)', () => {
  let modelsDir: string;

  beforeAll(async () => {
    await initNodeBackend('cpu');
    modelsDir = await mkdtemp(path.join(os.tmpdir(), 'shared-weights-'));
  });
  afterAll(() => rm(modelsDir, { recursive: true, force: true }));

  it('writes the shared weights once, to a file named by its content, that both model.json files name and load', async () => {
    await writeGraphModel(path.join(modelsDir, 'en'), packageGraph(ENCODER, [1, 0]), { shared: SHARED });
    await writeGraphModel(path.join(modelsDir, 'de'), packageGraph(ENCODER, [0, 1]), { shared: SHARED });
    const [enShared, deShared] = [await sharedFilesOf(path.join(modelsDir, 'en')), await sharedFilesOf(path.join(modelsDir, 'de'))];
    expect(enShared).toHaveLength(1);
    expect(enShared[0]).toMatch(/^\.\.\/encoders\/toy\/toy-encoder-[0-9a-f]{16}\.bin$/);
    expect(deShared).toEqual(enShared);
    expect(await readdir(path.join(modelsDir, 'encoders/toy'))).toHaveLength(1);
    // Each package holds only its own weights; the encoder (4 float32) is in the shared file.
    expect((await readdir(path.join(modelsDir, 'de'))).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect((await readFile(path.join(modelsDir, 'de', 'group1-shard1of1.bin'))).byteLength).toBe(2 * 4);
    // x = [1, 1]: x · encoder = [4, 6]; English takes the first, German the second.
    expect(await runPackage(path.join(modelsDir, 'en', 'model.json'), [1, 1])).toEqual([4]);
    expect(await runPackage(path.join(modelsDir, 'de', 'model.json'), [1, 1])).toEqual([6]);

    // Another encoder (say, other 8-bit choices) is another file; once no package names the old one, it goes.
    await writeGraphModel(path.join(modelsDir, 'de'), packageGraph([2, 2, 3, 4], [0, 1]), { shared: SHARED });
    expect(await readdir(path.join(modelsDir, 'encoders/toy'))).toHaveLength(2);
    expect(await removeUnusedSharedFiles(modelsDir, path.join(modelsDir, 'encoders/toy'))).toEqual([]);
    await writeGraphModel(path.join(modelsDir, 'en'), packageGraph([2, 2, 3, 4], [1, 0]), { shared: SHARED });
    const removed = await removeUnusedSharedFiles(modelsDir, path.join(modelsDir, 'encoders/toy'));
    expect(removed.map((file) => path.relative(path.join(modelsDir, 'en'), file))).toEqual(enShared);
    expect(await runPackage(path.join(modelsDir, 'en', 'model.json'), [1, 1])).toEqual([5]);
  });

  it('reports a damaged shared file by its name when Node loads a package', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shared-damaged-'));
    await writeGraphModel(path.join(dir, 'de'), packageGraph(ENCODER, [0, 1]), { shared: SHARED });
    const [sharedFile] = await sharedFilesOf(path.join(dir, 'de'));
    await writeFile(path.join(dir, 'de', sharedFile), new Uint8Array(16).fill(7));
    const error = await fileModelHandler(path.join(dir, 'de', 'model.json')).load!().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DamagedPackageFile);
    expect((error as Error).message).toBe(`${path.basename(sharedFile)} is damaged (16 bytes that do not match model.json)`);
    await rm(dir, { recursive: true, force: true });
  });

  it('the build versions each package and points its model.json at the shared file, counted in its size', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shared-build-'));
    for (const [id, decoder] of [['en', [1, 0]], ['de', [0, 1]]] as const) {
      await writeGraphModel(path.join(dir, id), packageGraph(ENCODER, [...decoder]), { shared: SHARED });
    }
    await writeFile(path.join(dir, 'models.json'), JSON.stringify({ default: 'en', models: [{ id: 'en', name: 'EN' }, { id: 'de', name: 'DE' }] }));
    const [sharedFile] = await sharedFilesOf(path.join(dir, 'de'));
    const entries = await versionModelPackages(dir);
    for (const entry of entries) {
      const versionDir = path.join(dir, entry.id, entry.version!);
      expect(await sharedFilesOf(versionDir)).toEqual([`../${sharedFile}`]);
      // model.json + the decoder (2 float32) + the shared encoder (4 float32).
      const modelJsonBytes = (await readFile(path.join(versionDir, 'model.json'))).byteLength;
      expect(entry.bytes).toBeGreaterThanOrEqual(modelJsonBytes - 3 + 8 + 16);
    }
    expect(await runPackage(path.join(dir, 'de', entries[1].version!, 'model.json'), [1, 1])).toEqual([6]);
    await rm(dir, { recursive: true, force: true });
  });
});

/** Cache Storage's one cache the worker opens, as a map of responses by URL. */
class FakeCache {
  readonly entries = new Map<string, Response>();
  async match(url: string) {
    return this.entries.get(url)?.clone();
  }
  async put(url: string, response: Response) {
    this.entries.set(url, new Response(await response.arrayBuffer(), { headers: response.headers }));
  }
  async keys() {
    return [...this.entries.keys()].map((url) => new Request(url));
  }
  async delete(request: Request) {
    return this.entries.delete(request.url);
  }
}

describe('the page fetching two packages that share the encoder', () => {
  const HOST = 'http://localhost/models/';
  let served: Map<string, Uint8Array<ArrayBuffer>>;
  let downloads: string[];
  let cache: FakeCache;
  let sharedUrl: string;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shared-page-'));
    for (const [id, decoder] of [['en', [1, 0]], ['de', [0, 1]]] as const) {
      await writeGraphModel(path.join(dir, id), packageGraph(ENCODER, [...decoder]), { shared: SHARED });
    }
    await writeFile(path.join(dir, 'models.json'), JSON.stringify({ default: 'en', models: [{ id: 'en', name: 'EN' }, { id: 'de', name: 'DE' }] }));
    const entries = await versionModelPackages(dir);
    served = new Map();
    for (const file of await readdir(dir, { recursive: true })) {
      if (/\.(bin|json)$/.test(file)) served.set(new URL(file.split(path.sep).join('/'), HOST).href, new Uint8Array(await readFile(path.join(dir, file))));
    }
    const de = entries.find((entry) => entry.id === 'de')!;
    sharedUrl = new URL((await sharedFilesOf(path.join(dir, 'de', de.version!)))[0], `${HOST}de/${de.version}/`).href;
    await rm(dir, { recursive: true, force: true });
    packageUrls = Object.fromEntries(entries.map((entry) => [entry.id, `${HOST}${entry.id}/${entry.version}/`]));
  });
  let packageUrls: Record<string, string>;

  function serve() {
    downloads = [];
    cache = new FakeCache();
    vi.stubGlobal('caches', { open: async () => cache });
    vi.stubGlobal('fetch', async (url: string) => {
      downloads.push(url);
      const body = served.get(url);
      return body ? new Response(body, { headers: { 'content-length': String(body.byteLength) } }) : new Response('', { status: 404 });
    });
  }
  afterEach(() => vi.unstubAllGlobals());

  it('downloads the shared encoder file once when both languages load, and keeps it in the model cache', async () => {
    serve();
    for (const id of ['en', 'de']) {
      const files = new ModelFileLoader(true);
      const artifacts = await fetchGraphModel(packageUrls[id], () => {}, files.fetch);
      await files.stored();
      expect(artifacts.weightSpecs?.map((spec) => spec.name).sort()).toEqual(['decoder/weights', 'encoder/weights']);
    }
    expect(downloads.filter((url) => url === sharedUrl)).toHaveLength(1);
    expect(downloads.filter((url) => url.endsWith('group1-shard1of1.bin'))).toHaveLength(2);
    expect(cache.entries.has(sharedUrl)).toBe(true);
  });

  it('reports a damaged shared file and drops it from the cache, keeping the other package', async () => {
    serve();
    const en = new ModelFileLoader(true);
    await fetchGraphModel(packageUrls.en, () => {}, en.fetch);
    await en.stored();
    // The kept copy of the encoder gets damaged (a disk error, an interrupted write).
    cache.entries.set(sharedUrl, new Response(new Uint8Array(16)));
    const de = new ModelFileLoader(true);
    const error = await fetchGraphModel(packageUrls.de, () => {}, de.fetch).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DamagedPackageFile);
    expect((error as Error).message).toBe(`${sharedUrl.split('/').pop()} is damaged (16 bytes that do not match model.json)`);
    await de.forgetIfDamaged(packageUrls.de, error);
    expect(cache.entries.has(sharedUrl)).toBe(false);
    expect([...cache.entries.keys()].filter((url) => url.startsWith(packageUrls.de))).toEqual([]);
    expect([...cache.entries.keys()].filter((url) => url.startsWith(packageUrls.en))).toHaveLength(2);
    // The next load fetches a sound copy again.
    const again = new ModelFileLoader(true);
    await fetchGraphModel(packageUrls.de, () => {}, again.fetch);
    expect(downloads.filter((url) => url === sharedUrl)).toHaveLength(2);
  });
});

describe('the shipped packages', () => {
  it('name one set of encoder files, all present (exported with the same encoder precision, a page downloads it once), each within 6.5 MB', async () => {
    const modelsDir = path.join(REPO_ROOT, 'public/models');
    const list = parseModelList(JSON.parse(await readFile(path.join(modelsDir, 'models.json'), 'utf8')));
    const sharing = [];
    for (const { id } of list.models) {
      const files = await sharedFilesOf(path.join(modelsDir, id));
      if (files.length === 0) continue;
      for (const file of files) expect(existsSync(path.join(modelsDir, id, file)), `${id}: ${file}`).toBe(true);
      sharing.push(files.map((file) => path.resolve(modelsDir, id, file)).sort());
      // Issue 24's and issue 37's budget, the shared encoder counted in each (a first visit downloads it).
      expect(await packageBytes(path.join(modelsDir, id)), id).toBeLessThanOrEqual(6_500_000);
    }
    // The English default and the German package at least.
    expect(sharing.length).toBeGreaterThanOrEqual(2);
    for (const files of sharing) expect(files).toEqual(sharing[0]);
  });
});
