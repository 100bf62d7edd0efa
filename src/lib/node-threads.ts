/** The worker threads of loadCaptioner({ threads }): each holds a model; photos go to the least busy one. */
import type { Worker } from 'node:worker_threads';
import { BrokenModelError, CaptionError, DamagedImageError, NotAnImageError, TruncatedImageError, UnsupportedFormatError, type CaptionErrorCode } from '../captioner/errors';
import { startModuleThread } from '../node/module-thread';
import type { NodeBackend } from '../node/backend-name';
import type { CaptionInput, CaptionOptions } from './node';
import type { CaptionedPhoto } from './result';

export interface ThreadSetup {
  model: string;
  backend: NodeBackend;
}

export type ToCaptionThread = { id: number; input: CaptionInput; options: Omit<CaptionOptions, 'onPartial'> };

interface ThrownError {
  name: string;
  message: string;
  code: CaptionErrorCode | undefined;
}

export type FromCaptionThread =
  | { type: 'ready' }
  | { type: 'start-failed'; error: ThrownError }
  | { type: 'done'; id: number; photo: CaptionedPhoto }
  | { type: 'failed'; id: number; error: ThrownError };

const ERROR_CLASSES: Record<CaptionErrorCode, new (message: string) => CaptionError> = {
  'not-an-image': NotAnImageError,
  'truncated-image': TruncatedImageError,
  'unsupported-format': UnsupportedFormatError,
  'damaged-image': DamagedImageError,
  'broken-model': BrokenModelError,
};

/** The error a thread threw, as the same class on this side (errors do not cross threads with their class). */
function rebuilt({ name, message, code }: ThrownError): Error {
  const error = code ? new ERROR_CLASSES[code](message) : new Error(message);
  if (!code) error.name = name;
  return error;
}

interface Pending {
  resolve: (photo: CaptionedPhoto) => void;
  reject: (error: Error) => void;
}

class CaptionThread {
  readonly pending = new Map<number, Pending>();

  constructor(readonly worker: Worker) {}
}

export class CaptionThreads {
  private nextId = 0;

  private threads: CaptionThread[] = [];

  static async start(count: number, setup: ThreadSetup): Promise<CaptionThreads> {
    const pool = new CaptionThreads();
    // A thread that crashes fails the photos it held and takes no more.
    const gone = (thread: CaptionThread) => (pool.threads = pool.threads.filter((other) => other !== thread));
    const threads = await Promise.allSettled(Array.from({ length: count }, () => CaptionThreads.startThread(setup, gone)));
    const started = threads.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = threads.find((result) => result.status === 'rejected');
    if (failed) {
      await Promise.all(started.map((thread) => thread.worker.terminate()));
      throw failed.reason;
    }
    pool.threads = started;
    return pool;
  }

  private static startThread(setup: ThreadSetup, gone: (thread: CaptionThread) => void): Promise<CaptionThread> {
    const thread = new CaptionThread(startModuleThread(import.meta.url, 'node-thread', setup));
    return new Promise((resolve, reject) => {
      const failAll = (error: Error) => {
        reject(error);
        gone(thread);
        for (const { reject: rejectPhoto } of thread.pending.values()) rejectPhoto(error);
        thread.pending.clear();
      };
      thread.worker.on('message', (message: FromCaptionThread) => {
        if (message.type === 'ready') return resolve(thread);
        if (message.type === 'start-failed') return failAll(rebuilt(message.error));
        const pending = thread.pending.get(message.id);
        thread.pending.delete(message.id);
        if (message.type === 'done') pending?.resolve(message.photo);
        else pending?.reject(rebuilt(message.error));
      });
      thread.worker.on('error', failAll);
      thread.worker.on('exit', (code) => failAll(new Error(`a captioning thread exited (code ${code})`)));
    });
  }

  caption(input: CaptionInput, options: Omit<CaptionOptions, 'onPartial'>): Promise<CaptionedPhoto> {
    if (this.threads.length === 0) return Promise.reject(new Error('every captioning thread has crashed'));
    const thread = this.threads.reduce((least, other) => (other.pending.size < least.pending.size ? other : least));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, input, options } satisfies ToCaptionThread);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map(({ worker }) => worker.removeAllListeners('exit').terminate()));
  }
}
