import type { DetectorSpec, GroundingSettings } from './detector-settings';
import type { ImageSpec } from './preprocess';
import { placement } from './preprocess';
import type { Vocabulary } from './vocabulary';

/** An object the model's encoder (a COCO detector) found in the photo. */
export interface DetectedObject {
  /** COCO class name, e.g. "person", "hot dog". */
  label: string;
  /** Detector confidence, 0–1. */
  score: number;
  /** [x, y, width, height] as fractions (0–1) of the image's width and height, from its top left. */
  box: [number, number, number, number];
}

/** A caption's words that name an object class: words[start .. start + length). */
export interface ObjectMention {
  label: string;
  start: number;
  length: number;
}

type JsonRecord = Record<string, unknown>;
const isRecord = (value: unknown): value is JsonRecord => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A package's objects.json: which words and two-word phrases name each object class ("men" →
 * person, "hot dog" → hot dog). The one table behind grounding, box highlighting and CHAIR.
 */
export class ObjectWords {
  private constructor(
    /** Class of each single word. */
    private readonly words: ReadonlyMap<string, string>,
    /** Class of each two-word phrase, keyed "first second". */
    private readonly phrases: ReadonlyMap<string, string>,
    readonly labels: readonly string[],
  ) {}

  /** Parses objects.json content; throws one error naming what is wrong. */
  static parse(json: unknown): ObjectWords {
    const objects = isRecord(json) ? json.objects : undefined;
    if (!isRecord(objects)) throw new Error('objects.json must be an object with an "objects" object (class → words)');
    const words = new Map<string, string>();
    const phrases = new Map<string, string>();
    for (const [label, names] of Object.entries(objects)) {
      if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) {
        throw new Error(`objects.json: "${label}" must list words (strings)`);
      }
      for (const name of names as string[]) {
        const parts = name.trim().toLowerCase().split(/\s+/);
        if (parts.length > 2 || parts[0] === '') throw new Error(`objects.json: "${name}" (${label}) must be one or two words`);
        const table = parts.length === 1 ? words : phrases;
        const key = parts.join(' ');
        const other = table.get(key);
        if (other !== undefined && other !== label) throw new Error(`objects.json: "${key}" names both ${other} and ${label}`);
        table.set(key, label);
      }
    }
    return new ObjectWords(words, phrases, Object.keys(objects));
  }

  /** Object mentions in a caption, left to right; a two-word phrase wins over its words ("hot dog"). */
  mentions(captionWords: readonly string[]): ObjectMention[] {
    const found: ObjectMention[] = [];
    for (let start = 0; start < captionWords.length; start++) {
      const phrase = start + 1 < captionWords.length ? this.phrases.get(`${captionWords[start]} ${captionWords[start + 1]}`) : undefined;
      if (phrase !== undefined) {
        found.push({ label: phrase, start, length: 2 });
        start++;
        continue;
      }
      const word = this.words.get(captionWords[start]);
      if (word !== undefined) found.push({ label: word, start, length: 1 });
    }
    return found;
  }

  /** Each class's single words, and each phrase split into its first word and the class of its second. */
  entries(): { words: [string, string][]; phrases: { first: string; second: string; label: string }[] } {
    return {
      words: [...this.words],
      phrases: [...this.phrases].map(([phrase, label]) => {
        const [first, second] = phrase.split(' ');
        return { first, second, label };
      }),
    };
  }
}


/**
 * A log-prior on the next word, given the previous one: row 0 applies after most words; a word that
 * starts a two-word phrase ("hot") has its own row, where the phrase's second word ("dog") takes the
 * phrase's class (hot dog). Each class's evidence counts once per caption: a word naming a class
 * that an earlier word of the caption already named gets `repeatPrior` instead (`priorRows`).
 * No value exceeds `ceiling`, which bounds how much a caption's score can still grow per word (the
 * search's early stop needs it).
 */
export interface WordPrior {
  /** rows × vocabularySize log-priors, row-major. */
  table: Float32Array;
  rows: number;
  /** Previous word id → its row in `table`; words not listed use row 0. */
  rowAfter: ReadonlyMap<number, number>;
  /** Per entry of `table`: the class (its index in ObjectWords.labels) whose log-prior it holds, or -1. */
  entryClass: Int16Array;
  /** What a word gets when its class was named before in the caption (0 or a penalty). */
  repeatPrior: number;
  /** The largest value in `table` (0 without a boost). */
  ceiling: number;
}

/**
 * The grounding log-prior of one class: below its threshold, λ · log(max(evidence, floor) / threshold);
 * above it, boost · (evidence − threshold) / (1 − threshold).
 */
export function classLogPrior(label: string, evidence: number, settings: GroundingSettings): number {
  const threshold = Math.min(settings.threshold, settings.classThresholds?.[label] ?? settings.threshold);
  const ratio = Math.max(evidence, settings.floor) / threshold;
  if (ratio < 1) return settings.lambda * Math.log(ratio);
  return threshold < 1 ? ((settings.boost ?? 0) * (Math.min(evidence, 1) - threshold)) / (1 - threshold) : 0;
}

/**
 * The grounded search's word prior for one photo: each object word is penalised by how little the
 * detector saw of its class (`evidence(label)`, 0–1; undefined for a class the detector does not know,
 * which is left alone). Words outside the vocabulary are skipped.
 */
export function groundingPrior(
  objectWords: ObjectWords,
  vocabulary: Vocabulary,
  evidence: (label: string) => number | undefined,
  settings: GroundingSettings,
): WordPrior {
  const columns = vocabulary.size;
  const classIndex = new Map(objectWords.labels.map((label, index) => [label, index]));
  const priorOf = (label: string): number | undefined => {
    const score = evidence(label);
    return score === undefined ? undefined : classLogPrior(label, score, settings);
  };
  const idOf = (word: string): number | undefined => {
    const id = vocabulary.id(word);
    return id === vocabulary.unknownId ? undefined : id;
  };
  const { words, phrases } = objectWords.entries();
  const base = new Float32Array(columns);
  const baseClass = new Int16Array(columns).fill(-1);
  for (const [word, label] of words) {
    const id = idOf(word);
    const prior = priorOf(label);
    if (id === undefined || prior === undefined) continue;
    base[id] = prior;
    baseClass[id] = classIndex.get(label)!;
  }
  const contextRows = new Map<number, { row: Float32Array; rowClass: Int16Array }>();
  for (const { first, second, label } of phrases) {
    const firstId = idOf(first);
    const secondId = idOf(second);
    if (firstId === undefined || secondId === undefined) continue;
    let context = contextRows.get(firstId);
    if (!context) contextRows.set(firstId, (context = { row: Float32Array.from(base), rowClass: Int16Array.from(baseClass) }));
    const prior = priorOf(label);
    context.row[secondId] = prior ?? 0;
    context.rowClass[secondId] = prior === undefined ? -1 : classIndex.get(label)!;
  }
  const rows = 1 + contextRows.size;
  const table = new Float32Array(columns * rows);
  const entryClass = new Int16Array(columns * rows);
  table.set(base, 0);
  entryClass.set(baseClass, 0);
  const rowAfter = new Map<number, number>();
  [...contextRows].forEach(([wordId, { row, rowClass }], index) => {
    table.set(row, columns * (index + 1));
    entryClass.set(rowClass, columns * (index + 1));
    rowAfter.set(wordId, index + 1);
  });
  const repeatPrior = 0 - (settings.repeatPenalty ?? 0); // 0, not -0, without a penalty
  return { table, rows, rowAfter, entryClass, repeatPrior, ceiling: table.reduce((largest, value) => Math.max(largest, value), 0) };
}

/**
 * The classes whose evidence a caption has had: each word's entry in the row its previous word picks
 * (so "dog" after "hot" counts as a hot dog). `wordIds` starts with the start word.
 */
export function namedClasses(prior: WordPrior, wordIds: readonly number[]): Set<number> {
  const columns = prior.table.length / prior.rows;
  const named = new Set<number>();
  for (let i = 1; i < wordIds.length; i++) {
    const entry = prior.entryClass[(prior.rowAfter.get(wordIds[i - 1]) ?? 0) * columns + wordIds[i]];
    if (entry >= 0) named.add(entry);
  }
  return named;
}

/**
 * The log-prior on the next word of each partial caption (row-major, one table row per caption): the
 * row its last word picks, with every word of a class the caption already named set to `repeatPrior`,
 * so a caption gains a class's evidence once however often it names the class.
 */
export function priorRows(prior: WordPrior, captions: readonly (readonly number[])[]): Float32Array {
  const columns = prior.table.length / prior.rows;
  const rows = new Float32Array(captions.length * columns);
  captions.forEach((wordIds, r) => {
    const start = (prior.rowAfter.get(wordIds[wordIds.length - 1]) ?? 0) * columns;
    const row = rows.subarray(r * columns, (r + 1) * columns);
    row.set(prior.table.subarray(start, start + columns));
    const named = namedClasses(prior, wordIds);
    if (named.size === 0) return;
    for (let column = 0; column < columns; column++) {
      if (named.has(prior.entryClass[start + column])) row[column] = prior.repeatPrior;
    }
  });
  return rows;
}


/** Boxes of one class overlapping more than this (intersection over union) are one object. */
const SAME_OBJECT_IOU = 0.5;

export function intersectionOverUnion(a: DetectedObject['box'], b: DetectedObject['box']): number {
  const width = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const height = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  return intersection / (a[2] * a[3] + b[2] * b[3] - intersection);
}

const clamp01 = (value: number) => Math.min(1, Math.max(0, value));

/**
 * The detector's raw rows ([x1, y1, x2, y2, score, class], model-input pixels, best first) as objects
 * in the source image's coordinates: below-threshold rows dropped, overlapping boxes of one class
 * merged into the most confident, at most `maxObjects`.
 */
export function decodeDetections(
  rows: readonly (readonly number[])[],
  detector: DetectorSpec,
  image: { width: number; height: number },
  spec: ImageSpec,
): DetectedObject[] {
  const place = placement(image.width, image.height, spec);
  const [boxTop, boxLeft, boxBottom, boxRight] = place.box;
  const toSourceX = (x: number) => clamp01(boxLeft + ((x - place.left) / place.width) * (boxRight - boxLeft));
  const toSourceY = (y: number) => clamp01(boxTop + ((y - place.top) / place.height) * (boxBottom - boxTop));
  const kept: DetectedObject[] = [];
  for (const [x1, y1, x2, y2, score, classIndex] of [...rows].sort((a, b) => b[4] - a[4])) {
    if (kept.length >= detector.maxObjects || !(score >= detector.minScore)) break;
    const label = detector.labels[Math.round(classIndex)];
    if (label === undefined) continue;
    const left = toSourceX(x1);
    const top = toSourceY(y1);
    const box: DetectedObject['box'] = [left, top, toSourceX(x2) - left, toSourceY(y2) - top];
    if (box[2] <= 0 || box[3] <= 0) continue;
    if (kept.some((other) => other.label === label && intersectionOverUnion(other.box, box) > SAME_OBJECT_IOU)) continue;
    kept.push({ label, score, box });
  }
  return kept;
}

/** "2 people, dog, frisbee": how many of each detected class, most confident class first. */
export function describeObjects(objects: readonly DetectedObject[]): string {
  const counts = new Map<string, number>();
  for (const { label } of objects) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts].map(([label, count]) => (count === 1 ? label : `${count} ${pluralLabel(label)}`)).join(', ');
}

const IRREGULAR_PLURALS: Record<string, string> = {
  person: 'people',
  sheep: 'sheep',
  skis: 'pairs of skis',
  scissors: 'pairs of scissors',
  knife: 'knives',
  mouse: 'mice',
  bus: 'buses',
  couch: 'couches',
  sandwich: 'sandwiches',
  'wine glass': 'wine glasses',
  bench: 'benches',
  toothbrush: 'toothbrushes',
  broccoli: 'broccoli',
  'hair drier': 'hair driers',
};

function pluralLabel(label: string): string {
  return IRREGULAR_PLURALS[label] ?? `${label}s`;
}
