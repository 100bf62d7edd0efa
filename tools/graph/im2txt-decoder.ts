import { DEFAULT_NODES } from '../../src/captioner/card';
import { attr, type GraphBuilder } from './graph-def';
import { addLstmCellFromGates } from './lstm-cell';

/** Decoder weights, row-major, TensorFlow BasicLSTMCell layout (gate columns i, j, f, o). */
export interface Im2txtDecoderWeights {
  /** [vocabularySize, embeddingSize] */
  wordEmbedding: Float32Array;
  /** [embeddingSize + numUnits, 4 * numUnits]: rows for the input, then for h. */
  lstmKernel: Float32Array;
  /** [4 * numUnits] */
  lstmBias: Float32Array;
  /** [numUnits, vocabularySize] */
  logitsWeights: Float32Array;
  /** [vocabularySize] */
  logitsBias: Float32Array;
}

export interface Im2txtDecoderSpec {
  /** Node giving the image embedding, float32 [1, embeddingSize]. */
  imageEmbedding: string;
  embeddingSize: number;
  numUnits: number;
  vocabularySize: number;
  weights: Im2txtDecoderWeights;
  /** Added to the forget gate's pre-activation, as BasicLSTMCell does. */
  forgetBias?: number;
}

/**
 * Emits the im2txt inference subgraph: `lstm/initial_state` (one LSTM step on the image embedding
 * from a zero state) and the per-word step `input_feed` + `lstm/state_feed` → `softmax`, `lstm/state`.
 * States are concat([c, h]), so the state size is 2 * numUnits, which is returned.
 */
export function addIm2txtDecoder(graph: GraphBuilder, spec: Im2txtDecoderSpec): { stateSize: number } {
  const { embeddingSize: E, numUnits: U, vocabularySize: V, weights } = spec;
  const expectSize = (what: string, values: Float32Array, shape: number[]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`${what} has ${values.length} values, [${shape}] needs ${size}`);
    return shape;
  };

  const embeddingMap = graph.floatConstant('seq_embedding/map', expectSize('wordEmbedding', weights.wordEmbedding, [V, E]), weights.wordEmbedding);
  const kernel = graph.floatConstant('lstm/basic_lstm_cell/kernel', expectSize('lstmKernel', weights.lstmKernel, [E + U, 4 * U]), weights.lstmKernel);
  const bias = graph.floatConstant('lstm/basic_lstm_cell/bias', expectSize('lstmBias', weights.lstmBias, [4 * U]), weights.lstmBias);
  const logitsWeights = graph.floatConstant('logits/weights', expectSize('logitsWeights', weights.logitsWeights, [U, V]), weights.logitsWeights);
  const logitsBias = graph.floatConstant('logits/biases', expectSize('logitsBias', weights.logitsBias, [V]), weights.logitsBias);
  const axis0 = graph.intConstant('lstm/axis_0', [], [0]);
  const axis1 = graph.intConstant('lstm/axis_1', [], [1]);
  const forgetBias = graph.floatConstant('lstm/forget_bias', [], [spec.forgetBias ?? 1]);

  /** One BasicLSTMCell step on input x [B, E] and state concat([c, h]) [B, 2U]; returns c' and h'. */
  const lstmStep = (scope: string, x: string, state: string) => {
    const name = (op: string) => `${scope}/${op}`;
    const split = graph.op(name('split_state'), 'Split', [axis1, state], { num_split: attr.int(2) });
    const [c, h] = [`${split}:0`, `${split}:1`];
    const inputs = graph.op(name('concat_inputs'), 'ConcatV2', [x, h, axis1], { N: attr.int(2) });
    const gates = graph.op(name('gates'), 'BiasAdd', [graph.op(name('matmul'), 'MatMul', [inputs, kernel]), bias]);
    return addLstmCellFromGates(graph, name, { gates, c }, { axis1, forgetBias });
  };
  const concatState = (stateName: string, { c, h }: { c: string; h: string }) =>
    graph.op(stateName, 'ConcatV2', [c, h, axis1], { N: attr.int(2) });

  const zeroState = graph.floatConstant('lstm/zero_state', [1, 2 * U], new Float32Array(2 * U));
  concatState(DEFAULT_NODES.initialState, lstmStep('lstm/initial', spec.imageEmbedding, zeroState));

  const inputFeed = graph.placeholder(DEFAULT_NODES.inputFeed, 'int32', [-1]);
  const stateFeed = graph.placeholder(DEFAULT_NODES.stateFeed, 'float32', [-1, 2 * U]);
  const wordEmbedding = graph.op('seq_embedding/embedding_lookup', 'GatherV2', [embeddingMap, inputFeed, axis0], { batch_dims: attr.int(0) });
  const step = lstmStep('lstm/step', wordEmbedding, stateFeed);
  concatState(DEFAULT_NODES.state, step);
  const logits = graph.op('logits/BiasAdd', 'BiasAdd', [graph.op('logits/MatMul', 'MatMul', [step.h, logitsWeights]), logitsBias]);
  graph.op(DEFAULT_NODES.softmax, 'Softmax', [logits]);
  return { stateSize: 2 * U };
}
