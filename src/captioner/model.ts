import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import type { StepModel, StepResult } from './beam-search';
import { parseModelCard, type ModelCard } from './card';
import type { GroundingSettings } from './detector-settings';
import { parseNounList } from './format';
import { groundingPrior, ObjectWords, priorRows, type WordPrior } from './objects';
import { Vocabulary } from './vocabulary';

/** The contents of a model package, however they were fetched. */
export interface ModelSource {
  /** model.json URL (tfjs fetches it and its shards) or a handler that supplies them. */
  model: string | tf.io.IOHandler;
  cardJson: string;
  wordCounts: string;
  /** objects.json text; only read for models with a detector. Null when the package has none. */
  objectsJson?: string | null;
  /** The noun list card.json `words.nouns` names (its text); only for cards that name one. */
  nounsText?: string;
}

/**
 * Access to a package's files, so the core never fetches itself: the browser worker implements it
 * with fetch (reporting progress), the Node CLI with the file system.
 */
export interface PackageFiles {
  model: string | tf.io.IOHandler;
  /** A text file of the package by its name (card.json, word_counts.txt, objects.json, or one card.json names). */
  readText(fileName: string): Promise<string>;
}

export interface LoadOptions {
  /** Fraction (0–1) of the graph model's weights loaded; only for URL sources. */
  onProgress?: (fraction: number) => void;
}

export interface ModelStepResult extends StepResult<tf.Tensor2D> {
  /** Bytes copied from the device to the CPU in this step (top-k ids and probabilities only). */
  readBackBytes: number;
}

/** A step's top k (values, indices), the model's own log-probabilities of them when a prior was added, and the new state. */
interface StepTensors {
  values: tf.Tensor;
  indices: tf.Tensor;
  modelValues?: tf.Tensor;
  state: tf.Tensor2D;
  [name: string]: tf.Tensor | undefined;
}

/** What one search hands every step: a grounding prior, and an attending decoder's regions of the photo. */
export interface StepInputs {
  prior?: WordPrior;
  /** [regionCount, regionSize] from encodeImage, on the device. */
  regions?: tf.Tensor2D;
}

/** An image through the encoder: the decoder's initial state, and what the detector saw (when exposed). */
export interface EncodedImage {
  /** [1, stateSize], on the device; the caller disposes it. */
  initialState: tf.Tensor2D;
  /** An attending decoder's per-photo input (card.attention), on the device; the caller disposes it. */
  regions: tf.Tensor2D | null;
  /** Evidence per detector class (card.detector.labels order), or null without a detector. */
  classScores: Float32Array | null;
  /** Raw detections [x1, y1, x2, y2, score, class] in model-input pixels, or null without a detector. */
  detections: number[][] | null;
}

/**
 * A package file whose bytes fail their check or do not parse (a truncated download, a damaged copy),
 * unlike a load that fails for the device's sake (out of memory, no backend): a kept copy of such a
 * package is worth fetching again, any other is worth keeping.
 */
export class DamagedPackageFile extends Error {
  override readonly name = 'DamagedPackageFile';
  /** The damaged file's URL or path, when one file is to blame (it may be shared by several packages). */
  readonly file?: string;

  constructor(message: string, options: ErrorOptions & { file?: string } = {}) {
    super(message, options);
    this.file = options.file;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parseJson(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DamagedPackageFile(`${fileName} is not valid JSON: ${messageOf(error)}`);
  }
}

/** card.json, word_counts.txt and the noun list card.json names, parsed and checked against each other. */
function readCardAndWords({ cardJson, wordCounts, nounsText }: ModelSource): { card: ModelCard; vocabulary: Vocabulary; nouns: ReadonlySet<string> | null } {
  try {
    const card = parseModelCard(parseJson(cardJson, 'card.json'));
    const vocabulary = Vocabulary.parse(wordCounts, card.words);
    if (vocabulary.size !== card.vocabularySize) {
      throw new Error(
        `word_counts.txt gives ${vocabulary.size} softmax columns (${vocabulary.words.length} words + unknown), ` +
          `card.json says vocabularySize ${card.vocabularySize}`,
      );
    }
    if (card.words.nouns === undefined) return { card, vocabulary, nouns: null };
    if (nounsText === undefined) throw new Error(`card.json names the noun list ${card.words.nouns}, which was not read`);
    return { card, vocabulary, nouns: parseNounList(nounsText) };
  } catch (error) {
    throw error instanceof DamagedPackageFile ? error : new DamagedPackageFile(messageOf(error), { cause: error });
  }
}

/** A Show and Tell graph model with its card and vocabulary, run through the im2txt inference interface. */
export class ShowAndTellModel implements StepModel<tf.Tensor2D, StepInputs> {
  private constructor(
    private readonly graph: GraphModel,
    readonly card: ModelCard,
    readonly vocabulary: Vocabulary,
    /** The object-word table, when the package has a detector and a readable objects.json. */
    readonly objectWords: ObjectWords | null,
    /** Why a package with a detector cannot ground its captions (objects.json missing or malformed). */
    readonly objectWordsProblem: string | null,
    /** The words shown with a capital letter (card.json `words.nouns`), or null to show them as said. */
    readonly nouns: ReadonlySet<string> | null,
  ) {}

  /** Loads and checks a package: the vocabulary, the card and the graph's output shapes must agree. */
  static async load(source: ModelSource, options: LoadOptions = {}): Promise<ShowAndTellModel> {
    const { card, vocabulary, nouns } = readCardAndWords(source);
    const { objectWords, problem } = card.detector ? readObjectWords(source.objectsJson ?? null) : { objectWords: null, problem: null };
    const graph = await loadGraphModel(source.model, { onProgress: options.onProgress });
    const model = new ShowAndTellModel(graph, card, vocabulary, objectWords, problem, nouns);
    try {
      model.checkStepShapes();
    } catch (error) {
      graph.dispose();
      throw error;
    }
    return model;
  }

  /** Runs the image through the encoder and the first LSTM step: the initial state [1, stateSize], kept on the device. */
  feedImage(image: tf.Tensor4D): tf.Tensor2D {
    return this.graph.execute({ [this.card.nodes.image]: image }, this.card.nodes.initialState) as tf.Tensor2D;
  }

  /**
   * The encoder and the first decoder step in one graph run; the detector's outputs (a few hundred
   * numbers) come from the same run and are read back; an attending decoder's regions stay on the device.
   */
  async encodeImage(image: tf.Tensor4D): Promise<EncodedImage> {
    const { detector, nodes, attention } = this.card;
    const names = [nodes.initialState, ...(attention ? [attention.regions] : []), ...(detector ? [detector.classScores, detector.detections] : [])];
    // execute() gives a lone tensor, not an array, when one output is asked for.
    const outputs = [this.graph.execute({ [nodes.image]: image }, names)].flat();
    const initialState = outputs[0] as tf.Tensor2D;
    const regions = attention ? (outputs[1] as tf.Tensor2D) : null;
    if (!detector) return { initialState, regions, classScores: null, detections: null };
    const [classScores, detections] = outputs.slice(attention ? 2 : 1) as [tf.Tensor2D, tf.Tensor3D];
    try {
      const [scores, rows] = await Promise.all([classScores.data<'float32'>(), detections.array()]);
      return { initialState, regions, classScores: Float32Array.from(scores), detections: rows[0] };
    } catch (error) {
      tf.dispose([initialState, ...(regions ? [regions] : [])]);
      throw error;
    } finally {
      classScores.dispose();
      detections.dispose();
    }
  }

  /**
   * One photo's grounding prior (its detector evidence per class, encodeImage's classScores); null
   * when the package has no object-word table or no detector.
   */
  groundingPrior(classScores: Float32Array, settings: GroundingSettings): WordPrior | null {
    const { objectWords, card } = this;
    if (!objectWords || !card.detector) return null;
    const labelIndex = new Map(card.detector.labels.map((label, index) => [label, index]));
    const evidence = (label: string) => {
      const index = labelIndex.get(label);
      return index === undefined ? undefined : classScores[index];
    };
    return groundingPrior(objectWords, this.vocabulary, evidence, settings);
  }

  /**
   * One decoder step for all beams in a single execute call. Only the k best word ids and their
   * log-probabilities per beam are read back (8 bytes each, 12 with a prior); the softmax never
   * leaves the device. A prior is added to the log-softmax on the device, before the top k: each
   * row's prior follows its caption so far (`captions`; without them, its last word alone).
   */
  async step(
    inputFeed: Int32Array,
    stateFeed: tf.Tensor2D,
    k: number,
    inputs: StepInputs = {},
    captions: readonly (readonly number[])[] = Array.from(inputFeed, (id) => [id]),
  ): Promise<ModelStepResult> {
    const topK = Math.min(k, this.card.vocabularySize);
    const { prior, regions } = inputs;
    const { values, indices, modelValues, state } = tf.tidy((): StepTensors => {
      const [softmax, newState] = this.run(inputFeed, stateFeed, regions);
      const state = newState as tf.Tensor2D;
      if (!prior) return { ...tf.topk(softmax, topK), state };
      const logSoftmax = tf.log(softmax);
      // A few rows of vocabularySize floats per step (37 kB at beam 3 with the default model).
      const rowPriors = tf.tensor2d(priorRows(prior, captions), [captions.length, this.card.vocabularySize]);
      const best = tf.topk(tf.add(logSoftmax, rowPriors), topK);
      // Each row's chosen columns, read from the flattened rows: tfjs-backend-wasm's gather with
      // batchDims 1 mixes rows up when k differs from the number of rows.
      const [rows, columns] = logSoftmax.shape;
      const rowStarts = tf.tensor2d(Int32Array.from({ length: rows }, (_, row) => row * columns), [rows, 1], 'int32');
      const modelValues = tf.gather(tf.reshape(logSoftmax, [-1]), tf.add(best.indices, rowStarts));
      return { ...best, modelValues, state };
    });
    try {
      const [scores, wordIds, modelLogProbs] = await Promise.all([
        values.data<'float32'>(),
        indices.data<'int32'>(),
        modelValues ? modelValues.data<'float32'>() : null,
      ]);
      return {
        wordIds: Int32Array.from(wordIds),
        // Without a prior the values are probabilities: the log is taken here, on k numbers per row.
        logProbs: modelLogProbs ? Float32Array.from(scores) : Float32Array.from(scores, Math.log),
        modelLogProbs: modelLogProbs ? Float32Array.from(modelLogProbs) : undefined,
        state,
        readBackBytes: scores.byteLength + wordIds.byteLength + (modelLogProbs?.byteLength ?? 0),
      };
    } catch (error) {
      state.dispose();
      throw error;
    } finally {
      tf.dispose([values, indices, ...(modelValues ? [modelValues] : [])]);
    }
  }

  gatherRows(state: tf.Tensor2D, rows: Int32Array): tf.Tensor2D {
    return tf.tidy(() => tf.gather(state, tf.tensor1d(rows, 'int32')));
  }

  disposeState(state: tf.Tensor2D): void {
    state.dispose();
  }

  dispose(): void {
    this.graph.dispose();
  }

  /**
   * The raw decoder step: [softmax [rows, V], new state [rows, S]], both owned by the caller.
   * step() keeps the softmax on the device; benchmarks use this to compare reading all of it back.
   */
  run(inputFeed: Int32Array, stateFeed: tf.Tensor2D, regions?: tf.Tensor2D): tf.Tensor[] {
    const { nodes, attention } = this.card;
    const feeds: tf.NamedTensorMap = { [nodes.inputFeed]: tf.tensor1d(inputFeed, 'int32'), [nodes.stateFeed]: stateFeed };
    if (attention) {
      if (!regions) throw new Error('this model attends over the photo\'s regions: pass encodeImage\'s regions to every step');
      feeds[attention.regionsFeed] = regions;
    }
    return this.graph.execute(feeds, [nodes.softmax, nodes.state]) as tf.Tensor[];
  }

  /** A dry step from a zero state catches a graph that does not match its card before any photo is captioned. */
  private checkStepShapes(): void {
    const { stateSize, vocabularySize, nodes, attention } = this.card;
    const [softmaxShape, stateShape] = tf.tidy(() => {
      let outputs: tf.Tensor[];
      try {
        const regions = attention ? tf.zeros<tf.Rank.R2>([attention.regionCount, attention.regionSize]) : undefined;
        outputs = this.run(Int32Array.of(this.vocabulary.startId), tf.zeros([1, stateSize]), regions);
      } catch (error) {
        throw new Error(`model.json does not run as card.json describes (nodes ${JSON.stringify(nodes)}): ${String(error)}`);
      }
      return outputs.map((output) => output.shape);
    });
    if (String(softmaxShape) !== String([1, vocabularySize])) {
      throw new Error(`graph node "${nodes.softmax}" gives shape [${softmaxShape}], card.json expects [1,${vocabularySize}]`);
    }
    if (String(stateShape) !== String([1, stateSize])) {
      throw new Error(`graph node "${nodes.state}" gives shape [${stateShape}], card.json expects stateSize ${stateSize}`);
    }
  }
}

/** objects.json, or why it cannot be used: a package that lacks it or breaks it still captions, un-grounded. */
function readObjectWords(text: string | null): { objectWords: ObjectWords | null; problem: string | null } {
  if (text === null) return { objectWords: null, problem: 'the model package has no objects.json' };
  try {
    return { objectWords: ObjectWords.parse(parseJson(text, 'objects.json')), problem: null };
  } catch (error) {
    return { objectWords: null, problem: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Reads card.json, word_counts.txt, (for a model with a detector) objects.json and the noun list the
 * card names through `files`, then loads the model.
 */
export async function loadModelPackage(files: PackageFiles, options: LoadOptions = {}): Promise<ShowAndTellModel> {
  const [cardJson, wordCounts] = await Promise.all([files.readText('card.json'), files.readText('word_counts.txt')]);
  const named = parseJson(cardJson, 'card.json') as { detector?: unknown; words?: { nouns?: unknown } } | null;
  const objectsJson = named?.detector !== undefined ? await files.readText('objects.json').catch(() => null) : null;
  // Without its noun list a German caption would be shown in lower case: a missing list fails the load.
  const nounsText = typeof named?.words?.nouns === 'string' ? await files.readText(named.words.nouns) : undefined;
  return ShowAndTellModel.load({ model: files.model, cardJson, wordCounts, objectsJson, nounsText }, options);
}
