import type { BeamSearchOptions } from './beam-search';
import type { DetectorSpec, GroundingSettings } from './detector-settings';
import type { ImageSize, ImageSpec, ResizeMode } from './preprocess';
import { canonicalLanguage, DEFAULT_CAPTION_LANGUAGE, isLanguageTag } from './language';
import { DEFAULT_WORDS, type SentenceWords } from './sentence-words';

/** Graph node names of the im2txt inference interface (see docs/ARCHITECTURE.md). */
export interface ModelNodes {
  image: string;
  initialState: string;
  inputFeed: string;
  stateFeed: string;
  softmax: string;
  state: string;
}

export const DEFAULT_NODES: ModelNodes = {
  image: 'image',
  initialState: 'lstm/initial_state',
  inputFeed: 'input_feed',
  stateFeed: 'lstm/state_feed',
  softmax: 'softmax',
  state: 'lstm/state',
};

/**
 * An attending decoder's per-photo input: the image run gives `regions` [regionCount, regionSize]
 * (with the initial state), and every step takes it back through `regionsFeed`. Its rows are the
 * graph's own layout (one per region, and for some decoders one of the detector's class scores).
 */
export interface AttentionSpec {
  regions: string;
  regionsFeed: string;
  regionCount: number;
  regionSize: number;
}

/** card.json `search`: what a caller does not set takes these values for this model. */
export interface ModelSearchDefaults {
  /** See BeamSearchOptions.noRepeatNgram. */
  noRepeatNgram?: number;
  /** Words after which a caption ends (e.g. ["."]); see SearchInputs.closingIds. None by default, as in im2txt. */
  closingWords?: string[];
}

/**
 * card.json `liveSearch`: the search for live camera frames, in place of the person's settings (which
 * stay the photos'): a camera wants a caption every frame more than the best one of a few.
 */
export type LiveSearch = Partial<Pick<BeamSearchOptions, 'beamSize' | 'maxLength'>> & {
  /** Grounding settings for frames over the card's `grounding` (when the person has grounding on). */
  grounding?: Partial<Pick<GroundingSettings, 'lambda' | 'repeatPenalty'>>;
};

/** card.json of a model package. */
export interface ModelCard {
  id: string;
  name: string;
  description: string;
  /** The language its captions are in (BCP 47: "en", "de"); "en" when card.json names none. */
  language: string;
  /** Generated for tests: never present it as a real captioning model. */
  fixture: boolean;
  image: ImageSpec;
  /**
   * A smaller input for live camera frames, for graphs that take any input size (the rest of `image`
   * applies): faster, at some cost in caption quality (MODEL.md).
   */
  liveImage?: ImageSize;
  /** Search settings for live camera frames (optional; frames take the person's settings without). */
  liveSearch?: LiveSearch;
  /** Columns of the LSTM state (c and h concatenated). */
  stateSize: number;
  /** Columns of the softmax: word_counts.txt lines + 1 (the unknown word). */
  vocabularySize: number;
  nodes: ModelNodes;
  /** Present when the decoder attends over the photo's regions (optional). */
  attention?: AttentionSpec;
  words: SentenceWords;
  /** Which image encoder the graph contains, for display. */
  encoder?: string;
  /** The encoder is an object detector whose outputs the graph exposes (optional). */
  detector?: DetectorSpec;
  /** Default grounding of object words in the detector's evidence (needs `detector` and objects.json). */
  grounding?: GroundingSettings;
  /** Search rules chosen for this model on its validation split (optional; im2txt's search without). */
  search?: ModelSearchDefaults;
  /** Free-form, for display only. */
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  licence?: Record<string, unknown>;
}

const RESIZE_MODES: readonly ResizeMode[] = ['squash', 'crop', 'pad'];

type JsonRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? JSON.stringify(value) : typeof value;
}

/** Reads typed fields of one JSON object, noting every problem (with its path) instead of stopping at the first. */
class FieldReader {
  constructor(
    private readonly record: JsonRecord,
    private readonly path: string,
    private readonly problems: string[],
  ) {}

  private read<T>(key: string, fallback: T | undefined, expected: string, accept: (value: unknown) => value is T): T {
    const value = this.record[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (accept(value)) return value;
    this.problems.push(`${this.path}${key} must be ${expected} (got ${describe(value)})`);
    return fallback as T;
  }

  string(key: string, fallback?: string): string {
    return this.read(key, fallback, 'a non-empty string', (v): v is string => typeof v === 'string' && v.length > 0);
  }

  optionalString(key: string): string | undefined {
    return this.record[key] === undefined ? undefined : this.string(key);
  }

  boolean(key: string, fallback: boolean): boolean {
    return this.read(key, fallback, 'true or false', (v): v is boolean => typeof v === 'boolean');
  }

  number(key: string, fallback?: number): number {
    return this.read(key, fallback, 'a number', (v): v is number => typeof v === 'number' && Number.isFinite(v));
  }

  optionalNumber(key: string): number | undefined {
    return this.record[key] === undefined ? undefined : this.number(key);
  }

  positiveInteger(key: string): number {
    return this.read(key, undefined, 'a positive integer', (v): v is number => Number.isInteger(v) && (v as number) > 0);
  }

  /** A whole number in [min, max]. */
  integerIn(key: string, min: number, max: number): number {
    return this.read(key, undefined, `a whole number from ${min} to ${max}`, (v): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max);
  }

  /** A number in [min, max]. */
  numberIn(key: string, min: number, max: number): number {
    return this.read(key, undefined, `a number from ${min} to ${max}`, (v): v is number => typeof v === 'number' && v >= min && v <= max);
  }

  stringList(key: string): string[] {
    return this.read(key, undefined, 'a non-empty list of strings', (v): v is string[] => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string'));
  }

  /** Whether the object has this key, for optional nested objects. */
  has(key: string): boolean {
    return this.record[key] !== undefined;
  }

  keys(): string[] {
    return Object.keys(this.record);
  }

  /** A BCP 47 language tag, in its canonical form. */
  language(key: string, fallback: string): string {
    return canonicalLanguage(this.read(key, fallback, 'a BCP 47 language tag such as "de"', isLanguageTag));
  }

  oneOf<T extends string>(key: string, options: readonly T[]): T {
    return this.read(key, undefined, `one of ${options.join(', ')}`, (v): v is T => options.includes(v as T));
  }

  optionalRecord(key: string): JsonRecord | undefined {
    if (this.record[key] === undefined) return undefined;
    return this.read(key, undefined, 'an object', isRecord);
  }

  /** A nested object; a missing one reads as {} so its fields fall back to their defaults. */
  child(key: string): FieldReader {
    return new FieldReader(this.optionalRecord(key) ?? {}, `${this.path}${key}.`, this.problems);
  }
}

/** Checks parsed card.json content and fills in defaults; throws one error listing every problem. */
export function parseModelCard(json: unknown): ModelCard {
  if (!isRecord(json)) throw new Error(`card.json must contain a JSON object (got ${describe(json)})`);
  const problems: string[] = [];
  const card = new FieldReader(json, '', problems);
  const image = card.child('image');
  const nodes = card.child('nodes');
  const words = card.child('words');
  const result: ModelCard = {
    id: card.string('id'),
    name: card.string('name'),
    description: card.string('description', ''),
    language: card.language('language', DEFAULT_CAPTION_LANGUAGE),
    fixture: card.boolean('fixture', false),
    image: {
      ...readImageSize(image),
      resize: image.oneOf('resize', RESIZE_MODES),
      scale: image.number('scale'),
      offset: image.number('offset', 0),
      padValue: image.optionalNumber('padValue'),
    },
    liveImage: card.has('liveImage') ? readImageSize(card.child('liveImage')) : undefined,
    liveSearch: card.has('liveSearch') ? readLiveSearch(card.child('liveSearch')) : undefined,
    stateSize: card.positiveInteger('stateSize'),
    vocabularySize: card.positiveInteger('vocabularySize'),
    nodes: {
      image: nodes.string('image', DEFAULT_NODES.image),
      initialState: nodes.string('initialState', DEFAULT_NODES.initialState),
      inputFeed: nodes.string('inputFeed', DEFAULT_NODES.inputFeed),
      stateFeed: nodes.string('stateFeed', DEFAULT_NODES.stateFeed),
      softmax: nodes.string('softmax', DEFAULT_NODES.softmax),
      state: nodes.string('state', DEFAULT_NODES.state),
    },
    attention: card.has('attention') ? readAttention(card.child('attention')) : undefined,
    words: {
      start: words.string('start', DEFAULT_WORDS.start),
      end: words.string('end', DEFAULT_WORDS.end),
      ...(words.has('nouns') && { nouns: words.string('nouns') }),
    },
    encoder: card.optionalString('encoder'),
    detector: card.has('detector') ? readDetector(card.child('detector')) : undefined,
    grounding: card.has('grounding') ? readGrounding(card.child('grounding')) : undefined,
    search: card.has('search') ? readSearch(card.child('search')) : undefined,
    training: card.optionalRecord('training'),
    metrics: card.optionalRecord('metrics'),
    licence: card.optionalRecord('licence'),
  };
  if (result.grounding && !result.detector) problems.push('grounding needs a detector');
  if (problems.length > 0) throw new Error(`invalid card.json:\n  ${problems.join('\n  ')}`);
  return result;
}

function readSearch(search: FieldReader): ModelSearchDefaults {
  return {
    ...(search.has('noRepeatNgram') && { noRepeatNgram: search.integerIn('noRepeatNgram', 0, 10) }),
    ...(search.has('closingWords') && { closingWords: search.stringList('closingWords') }),
  };
}

function readLiveSearch(search: FieldReader): LiveSearch {
  return {
    ...(search.has('beamSize') && { beamSize: search.integerIn('beamSize', 1, 10) }),
    ...(search.has('maxLength') && { maxLength: search.integerIn('maxLength', 2, 50) }),
    ...(search.has('grounding') && { grounding: readLiveGrounding(search.child('grounding')) }),
  };
}

function readLiveGrounding(grounding: FieldReader): NonNullable<LiveSearch['grounding']> {
  return {
    ...(grounding.has('lambda') && { lambda: grounding.numberIn('lambda', 0, 100) }),
    ...(grounding.has('repeatPenalty') && { repeatPenalty: grounding.numberIn('repeatPenalty', 0, 100) }),
  };
}

function readAttention(attention: FieldReader): AttentionSpec {
  return {
    regions: attention.string('regions'),
    regionsFeed: attention.string('regionsFeed'),
    regionCount: attention.positiveInteger('regionCount'),
    regionSize: attention.positiveInteger('regionSize'),
  };
}

function readImageSize(size: FieldReader): ImageSize {
  return { height: size.positiveInteger('height'), width: size.positiveInteger('width') };
}

function readDetector(detector: FieldReader): DetectorSpec {
  return {
    classScores: detector.string('classScores'),
    detections: detector.string('detections'),
    labels: detector.stringList('labels'),
    minScore: detector.numberIn('minScore', 0, 1),
    maxObjects: detector.positiveInteger('maxObjects'),
  };
}

function readGrounding(grounding: FieldReader): GroundingSettings {
  const settings: GroundingSettings = {
    lambda: grounding.numberIn('lambda', 0, 100),
    threshold: grounding.numberIn('threshold', Number.MIN_VALUE, 1),
    floor: grounding.numberIn('floor', Number.MIN_VALUE, 1),
  };
  if (grounding.has('boost')) settings.boost = grounding.numberIn('boost', 0, 100);
  if (grounding.has('repeatPenalty')) settings.repeatPenalty = grounding.numberIn('repeatPenalty', 0, 100);
  if (grounding.has('classThresholds')) {
    const perClass = grounding.child('classThresholds');
    settings.classThresholds = Object.fromEntries(perClass.keys().map((label) => [label, perClass.numberIn(label, Number.MIN_VALUE, 1)]));
  }
  return settings;
}
