import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import type { StepModel, StepResult } from './beam-search';
import { parseModelCard, type ModelCard } from './card';
import { Vocabulary } from './vocabulary';

/** The contents of a model package, however they were fetched. */
export interface ModelSource {
  /** model.json URL (tfjs fetches it and its shards) or a handler that supplies them. */
  model: string | tf.io.IOHandler;
  cardJson: string;
  wordCounts: string;
}

/**
 * Access to a package's files, so the core never fetches itself: the browser worker implements it
 * with fetch (reporting progress), the Node CLI with the file system.
 */
export interface PackageFiles {
  model: string | tf.io.IOHandler;
  readText(fileName: 'card.json' | 'word_counts.txt'): Promise<string>;
}

export interface LoadOptions {
  /** Fraction (0–1) of the graph model's weights loaded; only for URL sources. */
  onProgress?: (fraction: number) => void;
}

export interface ModelStepResult extends StepResult<tf.Tensor2D> {
  /** Bytes copied from the device to the CPU in this step (top-k ids and probabilities only). */
  readBackBytes: number;
}

function parseJson(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${fileName} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A Show and Tell graph model with its card and vocabulary, run through the im2txt inference interface. */
export class ShowAndTellModel implements StepModel<tf.Tensor2D> {
  private constructor(
    private readonly graph: GraphModel,
    readonly card: ModelCard,
    readonly vocabulary: Vocabulary,
  ) {}

  /** Loads and checks a package: the vocabulary, the card and the graph's output shapes must agree. */
  static async load(source: ModelSource, options: LoadOptions = {}): Promise<ShowAndTellModel> {
    const card = parseModelCard(parseJson(source.cardJson, 'card.json'));
    const vocabulary = Vocabulary.parse(source.wordCounts, card.words);
    if (vocabulary.size !== card.vocabularySize) {
      throw new Error(
        `word_counts.txt gives ${vocabulary.size} softmax columns (${vocabulary.words.length} words + unknown), ` +
          `card.json says vocabularySize ${card.vocabularySize}`,
      );
    }
    const graph = await loadGraphModel(source.model, { onProgress: options.onProgress });
    const model = new ShowAndTellModel(graph, card, vocabulary);
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
   * One decoder step for all beams in a single execute call. Only the k best word ids and their
   * log-probabilities per beam are read back (8 bytes each); the softmax never leaves the device.
   */
  async step(inputFeed: Int32Array, stateFeed: tf.Tensor2D, k: number): Promise<ModelStepResult> {
    const topK = Math.min(k, this.card.vocabularySize);
    const [values, indices, state] = tf.tidy(() => {
      const [softmax, newState] = this.run(inputFeed, stateFeed);
      const best = tf.topk(softmax, topK);
      return [best.values, best.indices, newState as tf.Tensor2D] as const;
    });
    try {
      const [probabilities, wordIds] = await Promise.all([values.data<'float32'>(), indices.data<'int32'>()]);
      return {
        wordIds: Int32Array.from(wordIds),
        logProbs: Float32Array.from(probabilities, Math.log),
        state,
        readBackBytes: probabilities.byteLength + wordIds.byteLength,
      };
    } catch (error) {
      state.dispose();
      throw error;
    } finally {
      values.dispose();
      indices.dispose();
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
  run(inputFeed: Int32Array, stateFeed: tf.Tensor2D): tf.Tensor[] {
    const { nodes } = this.card;
    const feeds = { [nodes.inputFeed]: tf.tensor1d(inputFeed, 'int32'), [nodes.stateFeed]: stateFeed };
    return this.graph.execute(feeds, [nodes.softmax, nodes.state]) as tf.Tensor[];
  }

  /** A dry step from a zero state catches a graph that does not match its card before any photo is captioned. */
  private checkStepShapes(): void {
    const { stateSize, vocabularySize, nodes } = this.card;
    const [softmaxShape, stateShape] = tf.tidy(() => {
      let outputs: tf.Tensor[];
      try {
        outputs = this.run(Int32Array.of(this.vocabulary.startId), tf.zeros([1, stateSize]));
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

/** Reads card.json and word_counts.txt through `files`, then loads the model. */
export async function loadModelPackage(files: PackageFiles, options: LoadOptions = {}): Promise<ShowAndTellModel> {
  const [cardJson, wordCounts] = await Promise.all([files.readText('card.json'), files.readText('word_counts.txt')]);
  return ShowAndTellModel.load({ model: files.model, cardJson, wordCounts }, options);
}
