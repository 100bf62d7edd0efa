/**
 * Captions files on N threads (node:worker_threads), each with its own copy of the model, one photo
 * per thread at a time. Rows come back as photos finish, tagged with their place in the input.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleThread } from '../node/module-thread';
import type { NodeBackend } from '../node/runtime';
import type { FromWorker, ToWorker, WorkerSetup } from './caption-protocol';
import type { PhotoRow } from './rows';
import { errorText } from './shared';

export interface PoolModel {
  modelName: string;
  /** The captions' language (the model's card). */
  language: string;
  modelDir: string;
  backend: NodeBackend;
  groundingProblem: string | null;
}

type RowHandler = (index: number, row: PhotoRow, warning?: string) => void;

/** One captioning thread and the photo it is working on. */
class CaptionThread {
  job: { index: number; file: string } | null = null;
  onRow: RowHandler = () => {};
  onCrash: (error: Error) => void = () => {};

  private constructor(private readonly worker: Worker) {}

  /** Starts a thread and waits until its model is loaded. */
  static start(setup: WorkerSetup): Promise<{ thread: CaptionThread; model: PoolModel }> {
    const worker = startModuleThread(import.meta.url, 'caption-worker', setup);
    const thread = new CaptionThread(worker);
    return new Promise((resolve, reject) => {
      let started = false;
      const fail = (error: Error) => {
        if (started) thread.onCrash(error);
        else reject(error);
      };
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          started = true;
          const { modelName, language, modelDir, backend, groundingProblem } = message;
          resolve({ thread, model: { modelName, language, modelDir, backend, groundingProblem } });
        } else if (message.type === 'start-failed') {
          void worker.terminate();
          reject(new Error(message.error));
        } else {
          thread.job = null;
          thread.onRow(message.index, message.row, message.warning);
        }
      });
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`the captioning thread exited (code ${code})`)));
    });
  }

  send(index: number, file: string): void {
    this.job = { index, file };
    this.worker.postMessage({ type: 'caption', index, file } satisfies ToWorker);
  }

  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

export class CaptionPool {
  private constructor(
    private readonly setup: WorkerSetup,
    private threads: CaptionThread[],
    readonly model: PoolModel,
  ) {}

  /** Starts `jobs` threads (their models load in parallel). */
  static async start(jobs: number, setup: WorkerSetup): Promise<CaptionPool> {
    const started = await Promise.allSettled(Array.from({ length: jobs }, () => CaptionThread.start(setup)));
    const threads = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value.thread] : []));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) {
      await Promise.all(threads.map((thread) => thread.stop()));
      throw failure.reason;
    }
    return new CaptionPool(setup, threads, (started[0] as PromiseFulfilledResult<{ model: PoolModel }>).value.model);
  }

  /**
   * Captions every file, calling `onRow` as each is done. A thread that crashes fails the photo it
   * held (an error row) and is replaced; the others carry on.
   */
  caption(files: string[], onRow: RowHandler): Promise<void> {
    return new Promise((resolve, reject) => {
      let next = 0;
      let remaining = files.length;
      if (remaining === 0) return resolve();
      const finish = (index: number, row: PhotoRow, warning?: string) => {
        try {
          onRow(index, row, warning);
        } catch (error) {
          return reject(error);
        }
        if (--remaining === 0) resolve();
      };
      const feed = (thread: CaptionThread) => {
        if (next < files.length) thread.send(next, files[next++]);
      };
      const attach = (thread: CaptionThread) => {
        thread.onRow = (index, row, warning) => {
          feed(thread);
          finish(index, row, warning);
        };
        thread.onCrash = (error) => {
          // 'error' and then 'exit' both report a crash: handle it once.
          if (!this.threads.includes(thread)) return;
          const { job } = thread;
          this.threads = this.threads.filter((other) => other !== thread);
          void thread.stop();
          if (job) finish(job.index, { file: job.file, error: `the captioning thread crashed: ${errorText(error)}` });
          if (remaining === 0) return;
          CaptionThread.start(this.setup).then(({ thread: replacement }) => {
            this.threads.push(replacement);
            attach(replacement);
            feed(replacement);
          }, reject);
        };
      };
      for (const thread of this.threads) {
        attach(thread);
        feed(thread);
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.stop()));
  }
}
