/**
 * The benchmark harness page: runs the captioning pipeline of src/captioner stage by stage on one
 * backend and measures it. bench/run.ts loads it in headless Chromium and calls window.bench.
 * It runs on the page's thread (the app runs the same code in a worker): stage timings, not UI.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beamSearch, type BeamUpdate, type StepModel } from '../../src/captioner/beam-search';
import { loadModelPackage, type ShowAndTellModel, type StepInputs } from '../../src/captioner/model';
import type { WordPrior } from '../../src/captioner/objects';
import { imageToTensor, type RgbaImage } from '../../src/captioner/preprocess';
import { startBackend } from '../../src/worker/backend';
import { fetchGraphModel, fetchText } from '../../src/worker/fetch-model';
import type { BackendName } from '../../src/worker/protocol';
import { planWasmThreads } from '../../src/worker/wasm-threads';
import type { BackendReport, DecoderReport, HarnessConfig, MemoryReport } from '../report-types';
import { distribution } from '../stats';
import { FullSoftmaxReadback } from './full-softmax-readback';
import { measureThroughput, profileGflop } from './throughput';

/** Fewer photos than this give no useful median, so they run whatever the time budget. */
const MIN_PHOTOS = 5;

type Variant = (source: ImageBitmap) => { canvas: OffscreenCanvas; draw: (context: OffscreenCanvasRenderingContext2D) => void };

/** Deterministic crops, flips and rescales that turn each source photo into several test photos. */
const VARIANTS: Variant[] = [
  (source) => ({
    canvas: new OffscreenCanvas(source.width, source.height),
    draw: (c) => {
      c.scale(-1, 1);
      c.drawImage(source, -source.width, 0);
    },
  }),
  (source) => {
    const [w, h] = [Math.round(source.width * 0.6), Math.round(source.height * 0.6)];
    return { canvas: new OffscreenCanvas(w, h), draw: (c) => c.drawImage(source, (source.width - w) / 2, (source.height - h) / 2, w, h, 0, 0, w, h) };
  },
  (source) => {
    const [w, h] = [Math.round(source.width / 2), Math.round(source.height / 2)];
    return { canvas: new OffscreenCanvas(w, h), draw: (c) => c.drawImage(source, 0, 0, w, h) };
  },
  (source) => {
    const [w, h] = [Math.round(source.width * 0.5), Math.round(source.height * 0.5)];
    return { canvas: new OffscreenCanvas(w, h), draw: (c) => c.drawImage(source, 0, 0, w, h, 0, 0, w, h) };
  },
  (source) => {
    const [w, h] = [Math.round(source.width * 0.5), Math.round(source.height * 0.5)];
    return { canvas: new OffscreenCanvas(w, h), draw: (c) => c.drawImage(source, source.width - w, source.height - h, w, h, 0, 0, w, h) };
  },
  (source) => ({
    canvas: new OffscreenCanvas(source.width, source.height),
    draw: (c) => {
      c.scale(1, -1);
      c.drawImage(source, 0, -source.height);
    },
  }),
];

/** JPEG files to caption: the real photos as they are, then variants of the first ones until `count` is reached. */
async function makePhotos(urls: string[], count: number): Promise<Blob[]> {
  const files = await Promise.all(urls.map(async (url) => (await fetch(url)).blob()));
  const photos = [...files];
  for (let variant = 0; photos.length < count && variant < VARIANTS.length; variant++) {
    for (const file of files.slice(0, 3)) {
      if (photos.length >= count) break;
      const source = await createImageBitmap(file);
      const { canvas, draw } = VARIANTS[variant](source);
      draw(canvas.getContext('2d')!);
      photos.push(await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 }));
      source.close();
    }
  }
  return photos;
}

/** Decodes the file and reads its pixels, as the app does (createImageBitmap, then an OffscreenCanvas). */
async function decode(file: Blob): Promise<RgbaImage> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const { width, height } = bitmap;
  const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { width, height, data: context.getImageData(0, 0, width, height).data };
}

interface DecoderRun {
  beamSearchMs: number;
  firstStepMs: number;
  readBackBytes: number[];
}

async function decodeCaption(
  stepModel: StepModel<tf.Tensor2D, StepInputs>,
  model: ShowAndTellModel,
  initialState: tf.Tensor2D,
  config: HarnessConfig,
  stepInputs: StepInputs,
): Promise<DecoderRun> {
  const { startId, endId } = model.vocabulary;
  const readBackBytes: number[] = [];
  const startedAt = performance.now();
  let firstStepMs = Number.NaN;
  await beamSearch(stepModel, initialState, { startId, endId, stepInputs, priorCeiling: stepInputs.prior?.ceiling }, { beamSize: config.beamSize, maxLength: config.maxLength }, (update: BeamUpdate) => {
    if (update.step === 1) firstStepMs = performance.now() - startedAt;
    readBackBytes.push(update.readBackBytes);
  });
  return { beamSearchMs: performance.now() - startedAt, firstStepMs, readBackBytes };
}

interface PhotoRun {
  prepMs: number;
  encoderMs: number;
  topK: DecoderRun;
  fullSoftmax: DecoderRun | null;
  /** The same search grounded in the photo's detections (models that can ground). */
  grounded: DecoderRun | null;
}

/** The photo's grounding prior with the card's settings; null when the model cannot ground. */
function photoPrior(model: ShowAndTellModel, classScores: Float32Array | null): WordPrior | null {
  const { grounding } = model.card;
  return grounding && classScores ? model.groundingPrior(classScores, grounding) : null;
}

/** One photo through the pipeline; the encoder's outputs are read (state and detections) so its time is its own. */
async function captionPhoto(model: ShowAndTellModel, file: Blob, config: HarnessConfig, compareFullSoftmax: boolean): Promise<PhotoRun> {
  const startedAt = performance.now();
  const input = imageToTensor(await decode(file), model.card.image);
  const preparedAt = performance.now();
  const { initialState, regions, classScores } = await model.encodeImage(input);
  input.dispose();
  await initialState.data();
  const encodedAt = performance.now();
  const prior = photoPrior(model, classScores);
  const photo = { regions: regions ?? undefined };
  try {
    const topK = await decodeCaption(model, model, initialState, config, photo);
    const fullSoftmax = compareFullSoftmax ? await decodeCaption(new FullSoftmaxReadback(model), model, initialState, config, photo) : null;
    const grounded = prior ? await decodeCaption(model, model, initialState, config, { ...photo, prior }) : null;
    return { prepMs: preparedAt - startedAt, encoderMs: encodedAt - preparedAt, topK, fullSoftmax, grounded };
  } finally {
    tf.dispose([initialState, ...(regions ? [regions] : [])]);
  }
}

function decoderReport(runs: PhotoRun[], pick: (run: PhotoRun) => DecoderRun): DecoderReport {
  const decoderRuns = runs.map(pick);
  const perStep = distribution(decoderRuns.flatMap((run) => run.readBackBytes));
  return {
    beamSearchMs: distribution(decoderRuns.map((run) => run.beamSearchMs)),
    firstHypothesisMs: distribution(runs.map((run) => run.prepMs + run.encoderMs + pick(run).firstStepMs)),
    readBackBytesPerStep: { median: perStep.median, max: Math.max(...decoderRuns.flatMap((run) => run.readBackBytes)) },
    firstStepMs: distribution(decoderRuns.map((run) => run.firstStepMs)),
    steps: distribution(decoderRuns.map((run) => run.readBackBytes.length)),
  };
}

function memoryNow(captions: number): MemoryReport {
  const memory = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return { captions, numTensors: memory.numTensors, numBytes: memory.numBytes, numBytesInGPU: memory.numBytesInGPU ?? null };
}

async function loadModel(url: string): Promise<ShowAndTellModel> {
  return loadModelPackage({
    model: { load: () => fetchGraphModel(url, () => undefined) },
    readText: (fileName) => fetchText(new URL(fileName, url).href),
  });
}

async function benchBackend(backend: BackendName, config: HarnessConfig): Promise<BackendReport> {
  const started = await startBackend(backend, planWasmThreads({ pinned: config.threads, crossOriginIsolated, logicalCores: navigator.hardwareConcurrency }));
  if (started.backend !== backend) throw new Error(started.note ?? `${backend} did not start`);
  const throughput = await measureThroughput(backend);
  const model = await loadModel(config.modelUrl);
  try {
    const photos = await makePhotos(config.photoUrls, config.photoCount);
    // The first photo compiles the kernels (WebGL shaders); it is not counted.
    await captionPhoto(model, photos[0], config, true);
    const memory = [memoryNow(1)];
    const runs: PhotoRun[] = [];
    const budgetEnds = performance.now() + config.photoBudgetMs;
    for (const photo of photos) {
      if (runs.length >= MIN_PHOTOS && performance.now() > budgetEnds) break;
      runs.push(await captionPhoto(model, photo, config, true));
    }
    const blank: RgbaImage = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 4) };
    const encoderGflop = await profileGflop(() => tf.tidy(() => model.feedImage(imageToTensor(blank, model.card.image))));
    const groundedRuns = runs.filter((run) => run.grounded !== null);
    let captions = 1 + runs.length;
    const memoryEnds = performance.now() + config.memoryBudgetMs;
    while (captions < config.memoryCaptions && performance.now() < memoryEnds) {
      await captionPhoto(model, photos[captions % photos.length], config, false);
      captions++;
    }
    memory.push(memoryNow(captions));
    const prepMs = distribution(runs.map((run) => run.prepMs));
    const encoderMs = distribution(runs.map((run) => run.encoderMs));
    const topK = decoderReport(runs, (run) => run.topK);
    const encoderGflops = encoderGflop / (encoderMs.median / 1000);
    return {
      backend,
      threads: started.wasmThreads?.count ?? null,
      photos: runs.length,
      prepMs,
      encoderMs,
      decoder: {
        topK,
        fullSoftmax: decoderReport(runs, (run) => run.fullSoftmax!),
        grounded: groundedRuns.length > 0 ? decoderReport(groundedRuns, (run) => run.grounded!) : null,
      },
      beamSearchShare: topK.beamSearchMs.median / (prepMs.median + encoderMs.median + topK.beamSearchMs.median),
      throughput,
      encoderGflop,
      encoderGflops,
      encoderShareOfConvThroughput: encoderGflops / throughput.convGflops,
      memory,
    };
  } finally {
    model.dispose();
  }
}

declare global {
  interface Window {
    bench: { run: (backend: BackendName, config: HarnessConfig) => Promise<BackendReport> };
  }
}

window.bench = { run: benchBackend };
