/**
 * A captioner on the calling thread, under the Node API (node.ts): its worker threads and the CLI's
 * each run one of these.
 */
import { readFile } from 'node:fs/promises';
import { loadCaptioner as loadModelCaptioner, type Captioner, type CaptionOptions as SearchOptions, type RgbaImage } from '../captioner';
import { BrokenModelError } from '../captioner/errors';
import { isLanguageTag, servesLanguage } from '../captioner/language';
import { decodePhoto } from '../node/decode-photo';
import { defaultModelDir } from '../node/default-model';
import { folderPackageFiles } from '../node/package-files';
import { initNodeBackend } from '../node/runtime';
import type { CaptionInput, CaptionOptions, LoadCaptionerOptions, ModelInfo } from './node';
import type { CaptionedPhoto } from './result';
import { captionedPhoto, partialCaptions } from './to-result';

function isRgbaImage(input: unknown): input is RgbaImage {
  const image = input as Partial<RgbaImage> | null;
  return typeof image === 'object' && image !== null && !(image instanceof Uint8Array) && image.data instanceof Uint8Array;
}

/** The photo's pixels, whatever form it was given in. Bad input throws a CaptionError (or TypeError for a wrong argument). */
export async function readInput(input: CaptionInput): Promise<RgbaImage> {
  if (typeof input === 'string') return decodePhoto(await readFile(input));
  if (input instanceof Uint8Array) return decodePhoto(input);
  if (isRgbaImage(input)) {
    const { width, height, data } = input;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new TypeError(`RGBA pixels need a positive integer width and height, got ${width}×${height}`);
    if (data.length !== width * height * 4) throw new TypeError(`RGBA pixels of ${width}×${height} need ${width * height * 4} bytes, got ${data.length}`);
    return { width, height, data };
  }
  throw new TypeError('caption() takes a file path, the bytes of an encoded image (Buffer or Uint8Array), or { data, width, height } RGBA pixels');
}

/** The API's options as the core's beam search and grounding settings. */
export function searchOptions({ grounding, onPartial: _onPartial, ...search }: CaptionOptions = {}): SearchOptions {
  const options: SearchOptions = { ...search };
  for (const key of Object.keys(options) as (keyof SearchOptions)[]) if (options[key] === undefined) delete options[key];
  if (grounding !== undefined) options.grounding = typeof grounding === 'number' ? { lambda: grounding } : grounding;
  return options;
}

/** A captioner on this thread: the model runs one photo at a time (tfjs in Node is single-threaded), decoding overlaps. */
export class ThreadCaptioner {
  private modelTurn: Promise<unknown> = Promise.resolve();

  constructor(
    readonly core: Captioner,
    readonly model: ModelInfo,
  ) {}

  async caption(input: CaptionInput, options: CaptionOptions = {}): Promise<CaptionedPhoto> {
    const image = await readInput(input);
    const search = searchOptions(options);
    const { onPartial } = options;
    const run = this.modelTurn.then(() => this.core.caption(image, search, onPartial && ((update) => onPartial(partialCaptions(update, this.core.card.language)))));
    this.modelTurn = run.catch(() => undefined);
    return captionedPhoto(await run, image.width, image.height, this.core.card.language);
  }
}

/** Starts the backend and loads a model package on this thread; a package that cannot load throws BrokenModelError. */
export async function loadThreadCaptioner({ model, language, backend = 'wasm' }: Pick<LoadCaptionerOptions, 'model' | 'language' | 'backend'> = {}): Promise<ThreadCaptioner> {
  if (backend !== 'wasm' && backend !== 'cpu') throw new RangeError(`backend must be "wasm" or "cpu", got "${String(backend)}"`);
  if (language !== undefined && !isLanguageTag(language)) throw new RangeError(`language must be a BCP 47 tag such as "de", got "${String(language)}"`);
  const dir = model ?? (await defaultModelDir(undefined, language));
  const started = await initNodeBackend(backend);
  let core: Captioner;
  try {
    core = await loadModelCaptioner(folderPackageFiles(dir));
  } catch (error) {
    throw new BrokenModelError(`the model package in ${dir} cannot be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (language !== undefined && !servesLanguage(core.card.language, language)) {
    core.dispose();
    throw new RangeError(`the model in ${dir} captions in "${core.card.language}", not "${language}"`);
  }
  const { id, name, language: captionLanguage } = core.card;
  return new ThreadCaptioner(core, { id, name, language: captionLanguage, dir, backend: started, groundingProblem: core.groundingProblem });
}

