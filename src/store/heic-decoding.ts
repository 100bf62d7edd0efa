/**
 * The page's HEIC worker (src/worker/heic.worker.ts): started when the first HEIC photo arrives (its
 * script, and the decoder's WebAssembly, are downloaded only then), and stopped once it has been idle
 * for a while, which lets go of the decoder's memory (a 12-megapixel photo grows it by a few hundred MB).
 */
import type { HeicReply, HeicRequest } from '../worker/heic-protocol';

const IDLE_STOP_MS = 20_000;

let worker: Worker | null = null;
let nextId = 0;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
const pending = new Map<number, { resolve: (bitmap: ImageBitmap) => void; reject: (error: Error) => void }>();

/** Stops the worker; photos still waiting on it fail with `reason`. */
function stop(reason: Error): void {
  worker?.terminate();
  worker = null;
  for (const { reject } of pending.values()) reject(reason);
  pending.clear();
}

function startedWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(new URL('../worker/heic.worker.ts', import.meta.url), { type: 'module', name: 'heic' });
  started.onmessage = ({ data }: MessageEvent<HeicReply>) => {
    const request = pending.get(data.id);
    pending.delete(data.id);
    if (data.type === 'decoded') request ? request.resolve(data.bitmap) : data.bitmap.close();
    else request?.reject(new Error(data.message));
    if (pending.size === 0) idleTimer = setTimeout(() => stop(new Error('its decoder was stopped')), IDLE_STOP_MS);
  };
  started.onerror = (event) => {
    event.preventDefault();
    stop(new Error(`its decoder stopped (${event.message || 'the HEIC worker failed to start'})`));
  };
  worker = started;
  return started;
}

/** The HEIC photo's pixels, full size, decoded in the HEIC worker. Throws what went wrong, for the photo's card. */
export function decodeHeicFile(file: Blob): Promise<ImageBitmap> {
  clearTimeout(idleTimer);
  const target = startedWorker();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    target.postMessage({ id, file } satisfies HeicRequest);
  });
}
