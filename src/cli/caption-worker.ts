/**
 * A captioning thread of `npm run caption`: loads the model once, then reads, decodes and captions
 * one photo per message. tfjs's wasm backend runs single-threaded in Node, so each thread uses one core.
 */
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { decodePhoto } from '../node/decode-photo';
import { machineCaptionWriter } from '../captioner/description';
import { toAltText } from '../captioner/format';
import type { FromWorker, ToWorker, WorkerSetup } from './caption-protocol';
import { captionedRow, type PhotoRow } from './rows';
import { errorText, loadCaptionerModel, type LoadedCaptioner } from './shared';
import { sidecarPath, writeSidecar } from './xmp';

// A thread's console.log lands on the process's stdout, which carries only results (decoders warn there).
console.log = console.info = console.debug = console.error;

const port = parentPort!;
const { options, xmp } = workerData as WorkerSetup;
const send = (message: FromWorker) => port.postMessage(message);

/** The photo's row, its sidecar (the best caption as the page's alt text) written first (with --xmp) so that a row in the output means the sidecar is there too. */
async function captionFile(loaded: LoadedCaptioner, index: number, file: string): Promise<FromWorker> {
  let row: PhotoRow;
  try {
    const image = await decodePhoto(await readFile(file));
    const result = await loaded.captioner.caption(image, options.search);
    row = captionedRow(file, result, image.width, image.height);
  } catch (error) {
    return { type: 'done', index, row: { file, error: errorText(error) } };
  }
  if (!xmp || !('captions' in row) || row.captions.length === 0) return { type: 'done', index, row };
  try {
    const outcome = await writeSidecar(file, toAltText(row.captions[0].text), machineCaptionWriter(loaded.captioner.card.name));
    const warning = outcome === 'kept-existing' ? `${sidecarPath(file)}: left as it is (another program's sidecar)` : undefined;
    return { type: 'done', index, row, warning };
  } catch (error) {
    return { type: 'done', index, row: { file, error: `captioned, but the XMP sidecar could not be written: ${errorText(error)}` } };
  }
}

try {
  const loaded = await loadCaptionerModel(options);
  port.on('message', (message: ToWorker) => {
    void captionFile(loaded, message.index, message.file).then(send);
  });
  send({
    type: 'ready',
    modelName: loaded.captioner.card.name,
    modelDir: loaded.modelDir,
    backend: loaded.backend,
    groundingProblem: loaded.captioner.groundingProblem,
  });
} catch (error) {
  send({ type: 'start-failed', error: errorText(error) });
}
