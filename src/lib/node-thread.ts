/** A captioning thread of loadCaptioner({ threads }): one model, photos from node-threads.ts. */
import { parentPort, workerData } from 'node:worker_threads';
import { CaptionError } from '../captioner/errors';
import { loadThreadCaptioner } from './thread-captioner';
import type { FromCaptionThread, ThreadSetup, ToCaptionThread } from './node-threads';

const port = parentPort!;
const send = (message: FromCaptionThread) => port.postMessage(message);
const thrown = (error: unknown) => ({
  name: error instanceof Error ? error.name : 'Error',
  message: error instanceof Error ? error.message : String(error),
  code: error instanceof CaptionError ? error.code : undefined,
});

try {
  const captioner = await loadThreadCaptioner(workerData as ThreadSetup);
  port.on('message', ({ id, input, options }: ToCaptionThread) => {
    captioner.caption(input, options).then(
      (photo) => send({ type: 'done', id, photo }),
      (error: unknown) => send({ type: 'failed', id, error: thrown(error) }),
    );
  });
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'start-failed', error: thrown(error) });
}
