import { beamSearch, type BeamSearchOptions, type Hypothesis } from './beam-search';
import type { ModelCard } from './card';
import { capitaliseNouns } from './format';
import { loadModelPackage, type EncodedImage, type LoadOptions, type PackageFiles, type ShowAndTellModel } from './model';
import type { GroundingSettings } from './detector-settings';
import { decodeDetections, type DetectedObject, type ObjectMention, type ObjectWords, type WordPrior } from './objects';
import { imageToTensor, type ImageSize, type RgbaImage } from './preprocess';

export type { BeamSearchOptions } from './beam-search';
export type { LiveSearch, ModelCard } from './card';
export type { LoadOptions, ModelSource, PackageFiles } from './model';
export { DamagedPackageFile, ShowAndTellModel, loadModelPackage } from './model';
export type { ImageSize, RgbaImage } from './preprocess';
export type { GroundingSettings } from './detector-settings';
export type { DetectedObject, ObjectMention } from './objects';
export { describeObjects, ObjectWords } from './objects';

export interface Caption {
  /** The words as shown, space-separated (a model with a noun list capitalises its nouns and first word). */
  text: string;
  /** Without the start and end words. */
  words: string[];
  logProb: number;
  /** exp(logProb): the probability of the whole sentence. */
  p: number;
  /** The words that name a detector class, when the model has an object-word table. */
  mentions?: ObjectMention[];
}

/** The live beam during captioning, both lists best first. */
export interface CaptionUpdate {
  step: number;
  partial: Caption[];
  complete: Caption[];
  /** Bytes read back from the device in this step. */
  readBackBytes: number;
}

/** What captioning one image gives. */
export interface CaptionResult {
  /** Best first. */
  captions: Caption[];
  /** What the encoder detected, best first; null when the model package exposes no detections. */
  objects: DetectedObject[] | null;
}

/**
 * Grounding of object words in what the detector saw: false turns it off; true (the default) uses the
 * card's settings; an object overrides some of them (e.g. the CLI's --grounding λ).
 */
export type GroundingChoice = boolean | Partial<GroundingSettings>;

export interface EncodeOptions {
  /** Overrides the card's threshold for listing detected objects. */
  minObjectScore?: number;
  /** The encoder's input size instead of the card's `image` one (e.g. its `liveImage`), for graphs that take any size. */
  inputSize?: ImageSize;
}

export interface CaptionOptions extends Partial<BeamSearchOptions>, Pick<EncodeOptions, 'inputSize'> {
  grounding?: GroundingChoice;
}

/**
 * How the live camera captions a frame (card.json `liveImage` and `liveSearch`): the encoder's input
 * size, the search settings that replace the person's, and grounding settings over the card's (for
 * when grounding is on); empty for a model that names neither.
 */
export function liveFrameOptions(card: ModelCard): Pick<CaptionOptions, 'inputSize' | 'beamSize' | 'maxLength'> & { grounding?: Partial<GroundingSettings> } {
  return { ...(card.liveImage && { inputSize: card.liveImage }), ...card.liveSearch };
}

/** An image through the encoder, ready to be described once or several times; dispose() it afterwards. */
export interface EncodedPhoto {
  /** What the detector found, best first; null when the model exposes no detections. */
  objects: DetectedObject[] | null;
  dispose(): void;
}

export interface Captioner {
  readonly card: ModelCard;
  /** Whether captions can be grounded in the detector's objects (a detector, objects.json and settings). */
  readonly canGround: boolean;
  /** Why a model with a detector cannot ground its captions; null when it can, or has no detector. */
  readonly groundingProblem: string | null;
  /** The object-word table, when the package has one. */
  readonly objectWords: ObjectWords | null;
  caption(image: RgbaImage, options?: CaptionOptions, onUpdate?: (update: CaptionUpdate) => void): Promise<CaptionResult>;
  encode(image: RgbaImage, options?: EncodeOptions): Promise<EncodedPhoto>;
  describe(photo: EncodedPhoto, options?: CaptionOptions, onUpdate?: (update: CaptionUpdate) => void): Promise<CaptionResult>;
  dispose(): void;
}

class ModelEncodedPhoto implements EncodedPhoto {
  constructor(
    readonly encoded: EncodedImage,
    readonly objects: DetectedObject[] | null,
  ) {}

  dispose(): void {
    disposeEncodedImage(this.encoded);
  }
}

function disposeEncodedImage(encoded: EncodedImage): void {
  encoded.initialState.dispose();
  encoded.regions?.dispose();
}

class BeamSearchCaptioner implements Captioner {
  /** The card's search rules that are options of the search; its closing words go in as ids. */
  private readonly searchDefaults: Partial<BeamSearchOptions>;
  private readonly closingIds: number[];

  constructor(private readonly model: ShowAndTellModel) {
    const { vocabulary } = model;
    const { closingWords = [], ...searchDefaults } = model.card.search ?? {};
    this.searchDefaults = searchDefaults;
    this.closingIds = closingWords.map((word) => {
      const id = vocabulary.id(word);
      if (id === vocabulary.unknownId) throw new Error(`card.json search.closingWords: "${word}" is not in word_counts.txt`);
      return id;
    });
  }

  get card(): ModelCard {
    return this.model.card;
  }

  get objectWords(): ObjectWords | null {
    return this.model.objectWords;
  }

  get canGround(): boolean {
    return this.model.objectWords !== null && this.card.grounding !== undefined;
  }

  get groundingProblem(): string | null {
    if (!this.card.detector) return null;
    if (this.model.objectWordsProblem) return this.model.objectWordsProblem;
    return this.card.grounding ? null : 'card.json has no grounding settings';
  }

  async caption(image: RgbaImage, options: CaptionOptions = {}, onUpdate?: (update: CaptionUpdate) => void): Promise<CaptionResult> {
    const photo = await this.encode(image, { inputSize: options.inputSize });
    try {
      return await this.describe(photo, options, onUpdate);
    } finally {
      photo.dispose();
    }
  }

  async encode(image: RgbaImage, options: EncodeOptions = {}): Promise<EncodedPhoto> {
    const spec = { ...this.card.image, ...options.inputSize };
    const pixels = imageToTensor(image, spec);
    let encoded: EncodedImage;
    try {
      encoded = await this.model.encodeImage(pixels);
    } finally {
      pixels.dispose();
    }
    const detector = this.card.detector && { ...this.card.detector, minScore: options.minObjectScore ?? this.card.detector.minScore };
    try {
      const objects = detector && encoded.detections ? decodeDetections(encoded.detections, detector, image, spec) : null;
      return new ModelEncodedPhoto(encoded, objects);
    } catch (error) {
      // No photo reaches the caller to dispose, so its tensors go here.
      disposeEncodedImage(encoded);
      throw error;
    }
  }

  async describe(photo: EncodedPhoto, options: CaptionOptions = {}, onUpdate?: (update: CaptionUpdate) => void): Promise<CaptionResult> {
    if (!(photo instanceof ModelEncodedPhoto)) throw new Error('describe() takes a photo from this captioner\'s encode()');
    // The input size was the encoder's business; the rest configures the search.
    const { grounding, inputSize: _usedByEncode, ...searchOptions } = options;
    const prior = this.wordPrior(photo, grounding ?? true);
    const { startId, endId, unknownId } = this.model.vocabulary;
    const stepInputs = { prior, regions: photo.encoded.regions ?? undefined };
    const search = { ...this.searchDefaults, ...searchOptions };
    const inputs = { startId, endId, neverIds: [unknownId], closingIds: this.closingIds, stepInputs, priorCeiling: prior?.ceiling };
    const found = await beamSearch(this.model, photo.encoded.initialState, inputs, search, (update) =>
      onUpdate?.({
        step: update.step,
        partial: update.partial.map(this.toCaption),
        complete: update.complete.map(this.toCaption),
        readBackBytes: update.readBackBytes,
      }),
    );
    return { captions: found.map(this.toCaption), objects: photo.objects };
  }

  dispose(): void {
    this.model.dispose();
  }

  /** The photo's grounding prior, or undefined when grounding is off or impossible. */
  private wordPrior(photo: ModelEncodedPhoto, choice: GroundingChoice): WordPrior | undefined {
    const { classScores } = photo.encoded;
    if (choice === false || !classScores || !this.card.grounding) return undefined;
    const settings = { ...this.card.grounding, ...(choice === true ? {} : choice) };
    if (settings.lambda === 0) return undefined;
    return this.model.groundingPrior(classScores, settings) ?? undefined;
  }

  private readonly toCaption = ({ wordIds, logProb }: Hypothesis): Caption => {
    const { vocabulary, objectWords, nouns } = this.model;
    const words = vocabulary.captionWords(wordIds);
    // `text` is shown (German nouns capitalised); `words` stay the model's, as the object table names them.
    const shown = nouns ? capitaliseNouns(words, nouns) : words;
    const caption: Caption = { text: shown.join(' '), words, logProb, p: Math.exp(logProb) };
    if (objectWords) caption.mentions = objectWords.mentions(words);
    return caption;
  };
}

/**
 * Loads a Show and Tell model package:
 * `const captioner = await loadCaptioner(files); const captions = await captioner.caption(rgba);`
 */
export async function loadCaptioner(files: PackageFiles, options: LoadOptions = {}): Promise<Captioner> {
  const model = await loadModelPackage(files, options);
  try {
    return new BeamSearchCaptioner(model);
  } catch (error) {
    model.dispose();
    throw error;
  }
}
