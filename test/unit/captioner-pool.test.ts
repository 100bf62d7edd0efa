import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CaptionerPool, HELPER_IDLE_MS, PHOTOS_PER_WORKER, type WorkerCrash } from '../../src/services/captioner-pool';
import { usePoolStore } from '../../src/store/captioner-pool';
import type { CaptionRequest, LoadModelRequest, ModelReadyEvent, WorkerEvent, WorkerRequest } from '../../src/worker/protocol';

/** Stands in for the captioner worker: records what it is sent, and lets the test answer. */
class FakeWorker extends EventTarget {
  static started: FakeWorker[] = [];
  readonly sent: WorkerRequest[] = [];
  terminated = false;

  constructor(
    readonly url: URL,
    readonly options: WorkerOptions,
  ) {
    super();
    FakeWorker.started.push(this);
  }

  postMessage(request: WorkerRequest): void {
    this.sent.push(request);
  }

  terminate(): void {
    this.terminated = true;
  }

  emit(event: WorkerEvent): void {
    this.dispatchEvent(new MessageEvent('message', { data: event }));
  }

  crash(message: string): void {
    this.dispatchEvent(Object.assign(new Event('error'), { message }));
  }

  captionsSent(): string[] {
    return this.sent.flatMap((request) => (request.type === 'caption' ? [request.jobId] : []));
  }
}

const LOAD: Omit<LoadModelRequest, 'loadId'> = {
  type: 'load-model',
  modelId: 'm',
  url: 'http://localhost/models/m/',
  preferredBackend: 'auto',
  preferenceOrigin: 'url',
  versioned: false,
  storedByPool: false,
  pinnedThreads: null,
};

/** `loadId`: the pool numbers its loads from 1. */
function ready(backend: ModelReadyEvent['backend'] = 'wasm', loadId = 1): ModelReadyEvent {
  return {
    type: 'model-ready',
    loadId,
    model: { id: 'm', name: 'M', language: 'en', fixture: true, detectsObjects: false, grounding: 'none', liveInput: { height: 32, width: 32 } },
    backend,
    note: null,
    backendReason: '',
    modelOrigin: 'network',
    downloadedBytes: 0,
    wasmThreads: backend === 'wasm' ? { count: 1, reason: '' } : null,
  };
}

function photo(jobId: string): CaptionRequest {
  return { type: 'caption', jobId, picture: {} as ImageBitmap, settings: { beamSize: 3, maxLength: 20, lengthNormalizationFactor: 0, grounded: false } as never, streamHypotheses: true, wantThumbnail: true, liveFrame: false };
}

function done(jobId: string): WorkerEvent {
  return { type: 'job-done', jobId, captions: [], objects: null, elapsedMs: 1, stages: { thumbnailMs: 0, pixelsMs: 0, encodeMs: 0, firstStepMs: 0, searchMs: 0, updatesPosted: 0 } };
}

describe('the captioner pool', () => {
  let events: WorkerEvent[];
  let crashes: WorkerCrash[];
  let helperReady: number;
  let pool: CaptionerPool;

  beforeEach(() => {
    FakeWorker.started = [];
    vi.useFakeTimers();
    vi.stubGlobal('Worker', FakeWorker);
    vi.stubGlobal('location', { search: '?workers=3' });
    vi.stubGlobal('navigator', { hardwareConcurrency: 8 });
    events = [];
    crashes = [];
    helperReady = 0;
    usePoolStore.setState({ plan: null, running: 0 });
    pool = new CaptionerPool({ onEvent: (event) => events.push(event), onCrash: (crash) => crashes.push(crash), onHelperReady: () => helperReady++ });
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  /** The first worker loads the model and is ready; helpers are started and ready too. */
  function startPool(): { first: FakeWorker; helpers: FakeWorker[] } {
    pool.loadModel(LOAD);
    const [first] = FakeWorker.started;
    first.emit(ready());
    pool.grow();
    const helpers = FakeWorker.started.slice(1);
    for (const helper of helpers) helper.emit(ready());
    return { first, helpers };
  }

  it('starts helpers only when asked to grow, up to the plan, loading the model from the cache on the first worker’s backend with one thread', () => {
    pool.loadModel(LOAD);
    expect(FakeWorker.started).toHaveLength(1);
    pool.grow(); // no plan before the first worker is ready
    expect(FakeWorker.started).toHaveLength(1);
    FakeWorker.started[0].emit(ready());
    expect(usePoolStore.getState().plan).toEqual({ workers: 3, reason: 'set by ?workers= in the address' });
    pool.grow();
    pool.grow();
    const helpers = FakeWorker.started.slice(1);
    expect(helpers.map((helper) => helper.options.name)).toEqual(['captioner-helper', 'captioner-helper']);
    for (const helper of helpers) expect(helper.sent).toEqual([{ ...LOAD, loadId: 1, preferredBackend: 'wasm', preferenceOrigin: 'settings', storedByPool: true, pinnedThreads: 1 }]);
    // A helper's loading is not the model's status; its readiness adds slots.
    helpers[0].emit({ type: 'model-progress', loadId: 1, modelId: 'm', loadedBytes: 1, totalBytes: 2 });
    expect(events.map((event) => event.type)).toEqual(['model-ready']);
    expect(pool.photoSlots(false)).toBe(2);
    helpers[0].emit(ready());
    expect(helperReady).toBe(1);
    expect(pool.photoSlots(false)).toBe(4);
    expect(usePoolStore.getState().running).toBe(2);
  });

  it('gives each photo to the worker with the fewest, the first on a tie, and passes on their events', () => {
    const { first, helpers } = startPool();
    for (const id of ['a', 'b', 'c', 'd']) pool.postPhoto(photo(id), false);
    expect(first.captionsSent()).toEqual(['a', 'd']);
    expect(helpers.map((helper) => helper.captionsSent())).toEqual([['b'], ['c']]);
    helpers[1].emit(done('c'));
    expect(events.at(-1)).toEqual(done('c'));
    pool.postPhoto(photo('e'), false);
    expect(helpers[1].captionsSent()).toEqual(['c', 'e']);
  });

  it('leaves the first worker to the camera while it is live', () => {
    const { first, helpers } = startPool();
    expect(pool.photoSlots(true)).toBe(4);
    for (const id of ['a', 'b', 'c']) pool.postPhoto(photo(id), true);
    expect(first.captionsSent()).toEqual([]);
    expect(helpers.map((helper) => helper.captionsSent())).toEqual([['a', 'c'], ['b']]);
  });

  it('with no helper ready, the camera and one photo take turns in the first worker', () => {
    pool.loadModel(LOAD);
    FakeWorker.started[0].emit(ready());
    expect(pool.photoSlots(true)).toBe(1);
    pool.postPhoto(photo('a'), true);
    expect(FakeWorker.started[0].captionsSent()).toEqual(['a']);
  });

  it('keeps one worker on a GPU backend', () => {
    vi.stubGlobal('location', { search: '' });
    pool.loadModel(LOAD);
    FakeWorker.started[0].emit(ready('webgl'));
    pool.grow();
    expect(FakeWorker.started).toHaveLength(1);
    expect(usePoolStore.getState().plan?.workers).toBe(1);
  });

  it('cancels a photo in the worker that holds it', () => {
    const { helpers } = startPool();
    pool.postPhoto(photo('a'), true);
    pool.cancelPhoto('a');
    expect(helpers[0].sent.at(-1)).toEqual({ type: 'cancel', jobId: 'a' });
  });

  it('a cancelled photo frees its slot only once its worker has stopped it', () => {
    pool.loadModel(LOAD);
    const [first] = FakeWorker.started;
    first.emit(ready());
    pool.postPhoto(photo('a'), false);
    pool.postPhoto(photo('b'), false);
    pool.cancelPhoto('a');
    pool.cancelPhoto('a'); // cancelling again asks once
    expect(first.sent.filter((request) => request.type === 'cancel')).toEqual([{ type: 'cancel', jobId: 'a' }]);
    // The worker is still busy with it: one slot is taken by b, the other by a until it stops.
    expect(pool.photoSlots(false)).toBe(PHOTOS_PER_WORKER - 1);
    first.emit({ type: 'job-cancelled', jobId: 'a' });
    expect(pool.photoSlots(false)).toBe(PHOTOS_PER_WORKER);
    expect(events.at(-1)).toEqual({ type: 'job-cancelled', jobId: 'a' });
  });

  it('a cancelled photo the worker finished before the cancel reached it frees its slot too', () => {
    const { helpers } = startPool();
    pool.postPhoto(photo('a'), true);
    pool.cancelPhoto('a');
    expect(pool.photoSlots(true)).toBe(2 * PHOTOS_PER_WORKER - 1);
    helpers[0].emit(done('a'));
    expect(pool.photoSlots(true)).toBe(2 * PHOTOS_PER_WORKER);
  });

  it('ignores the events of an earlier load, so the model status and the helpers follow the latest one', () => {
    pool.loadModel(LOAD);
    pool.loadModel({ ...LOAD, preferredBackend: 'wasm', preferenceOrigin: 'settings' });
    const [first] = FakeWorker.started;
    expect(first.sent.map((request) => request.type === 'load-model' && request.loadId)).toEqual([1, 2]);
    // The first load finishes on WebGL, after the second one was asked for.
    first.emit({ type: 'model-progress', loadId: 1, modelId: 'm', loadedBytes: 1, totalBytes: 2 });
    first.emit(ready('webgl', 1));
    first.emit({ type: 'model-error', loadId: 1, modelId: 'm', message: 'late' });
    expect(events).toEqual([]);
    expect(usePoolStore.getState().plan).toBeNull();
    pool.grow();
    expect(FakeWorker.started).toHaveLength(1);
    first.emit(ready('wasm', 2));
    expect(events).toEqual([ready('wasm', 2)]);
    pool.grow();
    const helpers = FakeWorker.started.slice(1);
    expect(helpers).toHaveLength(2);
    for (const helper of helpers) expect(helper.sent).toMatchObject([{ type: 'load-model', loadId: 2, preferredBackend: 'wasm' }]);
  });

  it('a crashed helper hands back its photos and the others go on; a helper that failed to load is not started again', () => {
    const { first, helpers } = startPool();
    pool.postPhoto(photo('a'), true);
    pool.postPhoto(photo('b'), true);
    helpers[0].crash('out of memory');
    expect(crashes).toEqual([{ helper: true, jobIds: ['a'], message: 'out of memory' }]);
    expect(helpers[0].terminated).toBe(true);
    expect(first.terminated).toBe(false);
    pool.postPhoto(photo('c'), true);
    expect(helpers[1].captionsSent()).toEqual(['b', 'c']);
    pool.grow(); // replaces the crashed one
    const replacement = FakeWorker.started.at(-1)!;
    replacement.emit({ type: 'model-error', loadId: 1, modelId: 'm', message: 'no memory' });
    expect(replacement.terminated).toBe(true);
    pool.grow();
    expect(FakeWorker.started.at(-1)).toBe(replacement);
  });

  it('the first worker’s crash stops every helper', () => {
    const { first, helpers } = startPool();
    first.crash('boom');
    expect(crashes).toEqual([{ helper: false, jobIds: [], message: 'boom' }]);
    expect([first, ...helpers].every((worker) => worker.terminated)).toBe(true);
    expect(usePoolStore.getState()).toEqual({ plan: null, running: 0 });
    pool.loadModel(LOAD);
    expect(FakeWorker.started.at(-1)!.options.name).toBe('captioner');
  });

  it('a new model retires the helpers once their photos are done', () => {
    const { helpers } = startPool();
    pool.postPhoto(photo('a'), true);
    pool.loadModel({ ...LOAD, modelId: 'n' });
    expect(helpers[0].terminated).toBe(false);
    expect(helpers[1].terminated).toBe(true);
    expect(pool.photoSlots(false)).toBe(2);
    helpers[0].emit(done('a'));
    expect(helpers[0].terminated).toBe(true);
  });

  it('stops a helper that has had no photo for a while', () => {
    const { helpers } = startPool();
    pool.postPhoto(photo('a'), true);
    vi.advanceTimersByTime(HELPER_IDLE_MS);
    expect(helpers[0].terminated).toBe(false);
    expect(helpers[1].terminated).toBe(true);
    helpers[0].emit(done('a'));
    vi.advanceTimersByTime(HELPER_IDLE_MS - 1);
    expect(helpers[0].terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect(helpers[0].terminated).toBe(true);
    expect(usePoolStore.getState().running).toBe(1);
  });
});
