/**
 * A captioning thread of `npm run caption`: loads the model once, then reads, decodes and captions
 * one photo per message. tfjs's wasm backend runs single-threaded in Node, so each thread uses one core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { machineCaptionWriter } from '../captioner/description';
import { toAltText } from '../captioner/format';
import { loadThreadCaptioner, type ThreadCaptioner } from '../lib/thread-captioner';
import type { FromWorker, ToWorker, WorkerSetup } from './caption-protocol';
import { captionedRow, type PhotoRow } from './rows';
import { errorText } from './shared';
import { sidecarPath, writeSidecar } from './xmp';

// A thread's console.log lands on the process's stdout, which carries only results (decoders warn there).
console.log = console.info = console.debug = console.error;

const port = parentPort!;
const { options, xmp } = workerData as WorkerSetup;
const send = (message: FromWorker) => port.postMessage(message);

/** The photo's row, its sidecar (the best caption as the page's alt text) written first (with --xmp) so that a row in the output means the sidecar is there too. */
async function captionFile(captioner: ThreadCaptioner, index: number, file: string): Promise<FromWorker> {
  let row: PhotoRow;
  try {
    row = captionedRow(file, await captioner.caption(file, options.search));
  } catch (error) {
    return { type: 'done', index, row: { file, error: errorText(error) } };
  }
  if (!xmp || !('captions' in row) || row.captions.length === 0) return { type: 'done', index, row };
  try {
    const outcome = await writeSidecar(file, toAltText(row.captions[0].text, row.language), machineCaptionWriter(captioner.model.name), row.language);
    const warning = outcome === 'kept-existing' ? `${sidecarPath(file)}: left as it is (another program's sidecar)` : undefined;
    return { type: 'done', index, row, warning };
  } catch (error) {
    return { type: 'done', index, row: { file, error: `captioned, but the XMP sidecar could not be written: ${errorText(error)}` } };
  }
}

try {
  const captioner = await loadThreadCaptioner({ model: options.modelDir, language: options.language, backend: options.backend });
  port.on('message', (message: ToWorker) => {
    void captionFile(captioner, message.index, message.file).then(send);
  });
  const { name, language, dir, backend, groundingProblem } = captioner.model;
  send({ type: 'ready', modelName: name, language, modelDir: dir, backend, groundingProblem });
} catch (error) {
  send({ type: 'start-failed', error: errorText(error) });
}
