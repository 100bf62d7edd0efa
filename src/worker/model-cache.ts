/**
 * The model store: model files kept in Cache Storage, so the app captions offline after the first
 * visit and a reload does not download megabytes again. The service worker (src/offline) keeps the
 * app shell; model files are kept here, where the worker can tell the UI where they came from.
 */
import { DamagedPackageFile } from '../captioner/model';
import { fetchOk } from './fetch-model';
import { MODEL_CACHE, type ModelOrigin } from './protocol';

/** Cache Storage needs a secure context (https or localhost); elsewhere the model is simply downloaded. */
function openCache(): Promise<Cache | null> {
  if (typeof caches === 'undefined') return Promise.resolve(null);
  return caches.open(MODEL_CACHE).catch(() => null);
}

/**
 * Fetches the files of one model load and remembers where each came from. A versioned package
 * (content hash in its URL, see tools/build/model-versions.ts) never changes, so the cache is read
 * first; an unversioned one (dev server, test fixtures) is downloaded when the network is up.
 */
export class ModelFileLoader {
  private readonly cache = openCache();
  private readonly writes: Promise<void>[] = [];
  private fromNetwork = 0;
  private fromCache = 0;
  /** Bytes of every file body read from the network (counted as read: hosts that compress or stream send no Content-Length). */
  networkBytes = 0;

  constructor(private readonly versioned: boolean) {}

  /** 'cache' only when every file came from the cache. */
  get origin(): ModelOrigin {
    return this.fromNetwork === 0 && this.fromCache > 0 ? 'cache' : 'network';
  }

  readonly fetch = async (url: string): Promise<Response> => {
    const cache = await this.cache;
    if (!cache) return this.download(url);
    if (this.versioned) {
      const cached = await cache.match(url);
      if (cached) return this.served(cached);
    }
    try {
      const response = await this.download(url);
      // Not awaited here: the caller reads its branch of the stream meanwhile, so progress stays live.
      this.writes.push(cache.put(url, response.clone()).catch(() => undefined));
      return response;
    } catch (error) {
      const cached = await cache.match(url);
      if (cached) return this.served(cached);
      throw error;
    }
  };

  /** Resolves when every downloaded file is in the cache (a full disk just leaves it out). */
  async stored(): Promise<void> {
    await Promise.all(this.writes);
  }

  /** Drops other versions of this model package (a new version replaces the old one). */
  async forgetOtherVersions(packageUrl: string): Promise<void> {
    if (!this.versioned) return;
    const modelFolder = new URL('../', packageUrl).href;
    await this.forgetWhere((url) => url.startsWith(modelFolder) && !url.startsWith(packageUrl));
  }

  /**
   * After a failed load: drops this package's files only when their bytes failed their check or did
   * not parse, so the next load fetches them again, and the damaged file itself where it lies outside
   * the package (a shared encoder file). Any other failure (out of memory, a backend that would not
   * start, no network) keeps them: they are the only model an offline visit has.
   */
  async forgetIfDamaged(packageUrl: string, loadError: unknown): Promise<void> {
    if (!(loadError instanceof DamagedPackageFile)) return;
    const damaged = loadError.file;
    await this.forgetWhere((url) => url.startsWith(packageUrl) || url === damaged);
  }

  private async forgetWhere(matches: (url: string) => boolean): Promise<void> {
    const cache = await this.cache;
    if (!cache) return;
    for (const request of await cache.keys()) if (matches(request.url)) await cache.delete(request);
  }

  private async download(url: string): Promise<Response> {
    const response = await fetchOk(url);
    this.fromNetwork++;
    if (!response.body) return response;
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, controller) => {
        this.networkBytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const { status, statusText, headers } = response;
    return new Response(response.body.pipeThrough(counter), { status, statusText, headers });
  }

  private served(cached: Response): Response {
    this.fromCache++;
    return cached;
  }
}
