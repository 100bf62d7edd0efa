/**
 * The first visit's reload into cross-origin isolation (src/offline/register-service-worker.ts) goes
 * ahead only once queueKept resolves: every drop walked, every photo added meanwhile stored.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { useJobsStore, type AddedFile } from '../../src/store/jobs';
import { keepWhileArriving, queueKept, startKeepingQueue } from '../../src/store/photo-queue';
import { storageSettled, storeInOrder } from '../../src/store/storage-status';

/** IndexedDB writes of the kept queue, answered by the test. */
const writes: { keys: string[]; finish: (stored: boolean) => void }[] = [];

vi.mock('idb-keyval', async (importOriginal) => ({
  ...(await importOriginal<typeof import('idb-keyval')>()),
  setMany: (entries: [string, unknown][]) =>
    new Promise<void>((resolve, reject) => writes.push({ keys: entries.map(([key]) => key), finish: (stored) => (stored ? resolve() : reject(new DOMException('full', 'QuotaExceededError'))) })),
  delMany: async () => undefined,
}));

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Watches queueKept: undefined while it waits. */
function watchQueueKept(): { result: boolean | undefined } {
  const watched: { result: boolean | undefined } = { result: undefined };
  void queueKept().then((kept) => (watched.result = kept));
  return watched;
}

/** As the drop zone does: walks the drop (resolved by the test), then adds its photos. */
function dropFolder(): (photos: AddedFile[]) => void {
  const walk = deferred<AddedFile[]>();
  keepWhileArriving(walk.promise.then((photos) => useJobsStore.getState().addFiles(photos)));
  return walk.resolve;
}

const photo = (name: string) => new File(['x'], name, { type: 'image/jpeg' });

describe('the reload into cross-origin isolation', () => {
  beforeAll(() => startKeepingQueue());

  beforeEach(async () => {
    await storageSettled();
    writes.length = 0;
  });

  it('waits for a folder still being walked, and for its photos to be stored', async () => {
    const finishWalk = dropFolder();
    const reload = watchQueueKept();
    await settle();
    expect(reload.result).toBeUndefined();

    finishWalk([photo('a.jpg'), { name: 'locked.jpg', problem: 'This file could not be read: denied' }]);
    await settle();
    expect(reload.result).toBeUndefined();
    // Only the photo that can be captioned is kept; the unreadable one has nothing to keep.
    expect(writes).toHaveLength(1);
    expect(writes[0].keys).toHaveLength(1);

    writes[0].finish(true);
    await settle();
    expect(reload.result).toBe(true);
  });

  it('keeps photos added while it waits: a file chosen once storing has started, and a folder dropped then', async () => {
    useJobsStore.getState().addFiles([photo('first.jpg')]);
    const reload = watchQueueKept();
    await settle();
    useJobsStore.getState().addFiles([photo('chosen.jpg')]);
    writes[0].finish(true);
    await settle();
    expect(reload.result).toBeUndefined(); // chosen.jpg is not stored yet

    const finishWalk = dropFolder();
    writes[1].finish(true);
    await settle();
    expect(reload.result).toBeUndefined(); // the walk is not over
    finishWalk([photo('trip/b.jpg')]);
    await settle();
    expect(writes).toHaveLength(3);
    expect(reload.result).toBeUndefined();
    writes[2].finish(true);
    await settle();
    expect(reload.result).toBe(true);
  });

  it('stays on the page when a photo that arrived meanwhile could not be kept', async () => {
    const finishWalk = dropFolder();
    const reload = watchQueueKept();
    finishWalk([photo('c.jpg')]);
    await settle();
    writes[0].finish(false);
    await settle();
    expect(reload.result).toBe(false);
  });
});

describe('storageSettled', () => {
  it('waits for the operations started while it waits too', async () => {
    const first = deferred<void>();
    const second = deferred<void>();
    void storeInOrder('results', () => first.promise);
    let settled = false;
    void storageSettled().then(() => (settled = true));
    void storeInOrder('results', () => second.promise);
    first.resolve();
    await settle();
    expect(settled).toBe(false);
    second.resolve();
    await settle();
    expect(settled).toBe(true);
  });
});
