import { DEFAULT_NODES } from '../../src/captioner/card';
import { attr, type GraphBuilder } from './graph-def';
import type { Matrix } from './linear';
import { addLstmCellFromGates } from './lstm-cell';

/**
 * The per-photo input of an attending decoder: [rows, embeddingSize + attentionSize], one row per
 * region (vectors, then keys) and, for a decoder that weighs the detector's evidence, one more row
 * that starts with the detector's class scores.
 */
export const REGIONS_OUTPUT = 'regions';
export const REGIONS_FEED = 'regions_feed';

export type AttentionKind = 'topdown' | 'soft';

/**
 * Weights of training/attend.py's decoder as its export writes them (TensorFlow BasicLSTMCell gate
 * order i, j, f, o; the forget bias is added at run time). LSTM kernels stack the rows of each input
 * in the order PyTorch concatenated them, then the rows of the cell's own h.
 */
export interface AttendDecoderWeights {
  attentionRegion: Matrix; attentionRegionBias: Matrix;
  attentionState: Matrix;
  attentionScore: Matrix;
  wordEmbedding: Matrix;
  project: Matrix; projectBias: Matrix;
  logitsBias: Matrix;
  /** topdown: attention LSTM (inputs h2, mean region, word) and language LSTM (inputs context, h1); soft: one LSTM (inputs word, context). */
  lstms: { kernel: Matrix; bias: Matrix }[];
}

/** Graph constants of the evidence, named as attend.py's export names them (training/unpack.ts reads them back). */
export const EVIDENCE_WEIGHTS = 'logits/evidence/weights';
export const EVIDENCE_BIASES = 'logits/evidence/biases';
export const WORD_CLASSES = 'logits/word_classes';
export const EVIDENCE_FLOOR = 'evidence/floor';

/**
 * training/attend.py's detector evidence in the softmax: at every word, coefficients from the
 * decoder's output ([units, 3] weights) scale each object word's class score, the score's log (from
 * `floor`) and 1, added to that word's logit.
 */
export interface WordEvidenceSpec {
  /** Node of the detector's class scores [1, classes]. */
  classScores: string;
  classCount: number;
  /** The class each vocabulary word names, `classCount` for a word that names none. */
  wordClasses: Int32Array;
  floor: number;
  coefficients: Matrix;
  coefficientBiases: Matrix;
}

export interface AttendDecoderSpec {
  kind: AttentionKind;
  units: number;
  /** How many regions the photo gives (grid cells and detections). */
  regionCount: number;
  /** Node of the region vectors [regions, embeddingSize] of the photo (ReLU already applied). */
  regionVectors: string;
  /** Node of the image embedding [1, embeddingSize], fed as the first input like im2txt's. */
  imageEmbedding: string;
  forgetBias: number;
  weights: AttendDecoderWeights;
  evidence?: WordEvidenceSpec;
}

/**
 * Emits an attending decoder behind the im2txt interface, plus one per-photo tensor: `regions`
 * (computed with `lstm/initial_state` from the image) is fed back as `regions_feed` at every step,
 * so the step graph attends over the photo's regions without running the encoder again.
 * Returns the state size (topdown: [c1, h1, c2, h2]; soft: [c, h]) and the rows of `regions`.
 */
export function addAttendDecoder(graph: GraphBuilder, spec: AttendDecoderSpec): { stateSize: number; photoRows: number } {
  const { units: U, weights: w } = spec;
  const [E, A] = [w.wordEmbedding.shape[1], w.attentionState.shape[1]];
  let constants = 0;
  const constant = (name: string, matrix: Matrix) => graph.floatConstant(name, matrix.shape, matrix.data);
  /** Rows [from, from + count) of a kernel, as a constant of their own. */
  const rows = (name: string, matrix: Matrix, from: number, count: number) => {
    const columns = matrix.shape[1];
    return graph.floatConstant(`${name}_${constants++}`, [count, columns], matrix.data.subarray(from * columns, (from + count) * columns));
  };
  const axis0 = graph.intConstant('attend/axis_0', [], [0]);
  const axis1 = graph.intConstant('attend/axis_1', [], [1]);
  const forgetBias = graph.floatConstant('attend/forget_bias', [], [spec.forgetBias]);
  const embedding = constant('seq_embedding/map', w.wordEmbedding);
  const regionKeysWeights = constant('attention/region_weights', w.attentionRegion);
  const regionKeysBias = constant('attention/region_biases', w.attentionRegionBias);
  const stateQuery = constant('attention/state_weights', w.attentionState);
  const score = constant('attention/score_weights', w.attentionScore);

  // Each LSTM's kernel split by input, so each input is multiplied once by its own rows (the mean
  // region is a per-photo [1, E] row added to every beam's gates by broadcasting).
  const inputSizes = spec.kind === 'topdown' ? [[U, E, E, U], [E, U, U]] : [[E, E, U]];
  const lstms = w.lstms.map((lstm, l) => {
    let from = 0;
    const parts = inputSizes[l].map((size) => {
      const part = rows(`attend/lstm_${l}/kernel`, lstm.kernel, from, size);
      from += size;
      return part;
    });
    if (from !== lstm.kernel.shape[0]) throw new Error(`LSTM ${l} kernel has ${lstm.kernel.shape[0]} rows, the ${spec.kind} decoder needs ${from}`);
    return { parts, bias: constant(`attend/lstm_${l}/bias`, lstm.bias) };
  });

  /** BasicLSTMCell on inputs [x_i] (each [B or 1, n_i]) and the cell's c: new c and h. */
  const cell = (scope: string, l: number, inputs: string[], c: string) => {
    const name = (op: string) => `${scope}/${op}`;
    const products = inputs.map((x, i) => graph.op(name(`matmul_${i}`), 'MatMul', [x, lstms[l].parts[i]]));
    const gates = products.slice(1).reduce((sum, product, i) => graph.op(name(`sum_${i}`), 'AddV2', [sum, product]), products[0]);
    return addLstmCellFromGates(graph, name, { gates: graph.op(name('gates'), 'BiasAdd', [gates, lstms[l].bias]), c }, { axis1, forgetBias });
  };

  /** Soft attention over the regions: context [B, E] for queries [B, U]. */
  const attend = (scope: string, vectors: string, keys: string, query: string) => {
    const name = (op: string) => `${scope}/${op}`;
    const projected = graph.op(name('query'), 'ExpandDims', [graph.op(name('query_matmul'), 'MatMul', [query, stateQuery]), axis1]);
    const hidden = graph.op(name('hidden'), 'Tanh', [graph.op(name('keys_query'), 'AddV2', [projected, keys])]);
    const flat = graph.op(name('flat'), 'Reshape', [hidden, graph.intConstant(name('flat_shape'), [2], [-1, A])]);
    const scores = graph.op(name('scores'), 'Reshape', [
      graph.op(name('score_matmul'), 'MatMul', [flat, score]),
      graph.intConstant(name('scores_shape'), [2], [-1, spec.regionCount]),
    ]);
    return graph.op(name('context'), 'MatMul', [graph.op(name('weights'), 'Softmax', [scores]), vectors]);
  };

  /** One word (or the image) through the decoder: its output [B, U] and the new state. */
  const step = (scope: string, inputs: string, state: string, vectors: string, keys: string) => {
    const name = (op: string) => `${scope}/${op}`;
    if (spec.kind === 'topdown') {
      const split = graph.op(name('split_state'), 'Split', [axis1, state], { num_split: attr.int(4) });
      const [c1, h1, c2, h2] = [0, 1, 2, 3].map((k) => `${split}:${k}`);
      const meanRegion = graph.op(name('mean_region'), 'Mean', [vectors, axis0], { keep_dims: attr.bool(true) });
      const attention = cell(name('attention_lstm'), 0, [h2, meanRegion, inputs, h1], c1);
      const context = attend(name('attend'), vectors, keys, attention.h);
      const language = cell(name('language_lstm'), 1, [context, attention.h, h2], c2);
      const newState = [attention.c, attention.h, language.c, language.h];
      return { output: language.h, state: newState };
    }
    const split = graph.op(name('split_state'), 'Split', [axis1, state], { num_split: attr.int(2) });
    const [c, h] = [`${split}:0`, `${split}:1`];
    const context = attend(name('attend'), vectors, keys, h);
    const lstm = cell(name('lstm'), 0, [inputs, context, h], c);
    return { output: lstm.h, state: [lstm.c, lstm.h] };
  };
  const stateSize = (spec.kind === 'topdown' ? 4 : 2) * U;
  const concat = (name: string, parts: string[]) => graph.op(name, 'ConcatV2', [...parts, axis1], { N: attr.int(parts.length) });

  // The photo: region keys, the per-photo `regions` output, and the state after the image.
  const keys = graph.op('attention/region_keys', 'BiasAdd', [graph.op('attention/region_keys_matmul', 'MatMul', [spec.regionVectors, regionKeysWeights]), regionKeysBias]);
  const regionRows = concat(spec.evidence ? 'attend/region_rows' : REGIONS_OUTPUT, [spec.regionVectors, keys]);
  if (spec.evidence) {
    const paddingSize = E + A - spec.evidence.classCount;
    const evidenceRow = concat('evidence/row', [spec.evidence.classScores, graph.floatConstant('evidence/row_padding', [1, paddingSize], new Float32Array(paddingSize))]);
    graph.op(REGIONS_OUTPUT, 'ConcatV2', [regionRows, evidenceRow, axis0], { N: attr.int(2) });
  }
  const zeroState = graph.floatConstant('attend/zero_state', [1, stateSize], new Float32Array(stateSize));
  concat(DEFAULT_NODES.initialState, step('attend/initial', spec.imageEmbedding, zeroState, spec.regionVectors, keys).state);

  // Every word: the photo's regions (and class scores) come back through `regions_feed`.
  const regionsFeed = graph.placeholder(REGIONS_FEED, 'float32', [-1, E + A]);
  const slice = (name: string, begin: number[], size: number[]) =>
    graph.op(name, 'Slice', [regionsFeed, graph.intConstant(`${name}/begin`, [2], begin), graph.intConstant(`${name}/size`, [2], size)]);
  const fedRegions = spec.evidence ? slice('attend/fed_regions', [0, 0], [spec.regionCount, -1]) : regionsFeed;
  const regionsSplit = graph.op('attend/split_regions', 'SplitV', [fedRegions, graph.intConstant('attend/region_sizes', [2], [E, A]), axis1], { num_split: attr.int(2) });
  const inputFeed = graph.placeholder(DEFAULT_NODES.inputFeed, 'int32', [-1]);
  const stateFeed = graph.placeholder(DEFAULT_NODES.stateFeed, 'float32', [-1, stateSize]);
  const word = graph.op('seq_embedding/embedding_lookup', 'GatherV2', [embedding, inputFeed, axis0], { batch_dims: attr.int(0) });
  const next = step('attend/step', word, stateFeed, `${regionsSplit}:0`, `${regionsSplit}:1`);
  concat(DEFAULT_NODES.state, next.state);
  const projected = graph.op('logits/project', 'BiasAdd', [graph.op('logits/project_matmul', 'MatMul', [next.output, constant('logits/project_weights', w.project)]), constant('logits/project_biases', w.projectBias)]);
  // Tied embeddings: the softmax's weights are the word embedding itself.
  const logits = graph.op('logits/BiasAdd', 'BiasAdd', [
    graph.op('logits/MatMul', 'MatMul', [projected, embedding], { transpose_a: attr.bool(false), transpose_b: attr.bool(true) }),
    constant('logits/biases', w.logitsBias),
  ]);
  if (!spec.evidence) {
    graph.op(DEFAULT_NODES.softmax, 'Softmax', [logits]);
    return { stateSize, photoRows: spec.regionCount };
  }
  const { classCount, wordClasses, floor } = spec.evidence;
  const classScores = slice('evidence/class_scores', [spec.regionCount, 0], [1, classCount]);
  const vocabularySize = wordClasses.length;
  const withNone = concat('evidence/with_none', [classScores, graph.floatConstant('evidence/none', [1, 1], [0])]);
  const wordScores = graph.op('evidence/word_scores', 'GatherV2', [withNone, graph.intConstant(WORD_CLASSES, [vocabularySize], wordClasses), axis1], { batch_dims: attr.int(0) });
  const namesObject = graph.floatConstant('evidence/names_object', [1, vocabularySize], Float32Array.from(wordClasses, (c) => (c === classCount ? 0 : 1)));
  const logScore = graph.op('evidence/log_scores', 'Mul', [
    graph.op('evidence/log', 'Log', [graph.op('evidence/floored', 'Maximum', [wordScores, graph.floatConstant(EVIDENCE_FLOOR, [], [floor])])]),
    namesObject,
  ]);
  const wordEvidence = graph.op('evidence/terms', 'ConcatV2', [wordScores, logScore, namesObject, axis0], { N: attr.int(3) });
  const coefficients = graph.op('logits/evidence_coefficients', 'BiasAdd', [
    graph.op('logits/evidence_matmul', 'MatMul', [next.output, constant(EVIDENCE_WEIGHTS, spec.evidence.coefficients)]),
    constant(EVIDENCE_BIASES, spec.evidence.coefficientBiases),
  ]);
  const evidenceLogits = graph.op('logits/evidence_terms', 'MatMul', [coefficients, wordEvidence]);
  graph.op(DEFAULT_NODES.softmax, 'Softmax', [graph.op('logits/with_evidence', 'AddV2', [logits, evidenceLogits])]);
  return { stateSize, photoRows: spec.regionCount + 1 };
}
