/**
 * A miniature of the tutorial's frozen im2txt inference graph, built node by node with im2txt's
 * node names and op types (TF 1.x spellings), plus an independent plain-JS evaluation of the same
 * weights to check the converted tfjs model against.
 */
import type { AttrValue, GraphDef, NodeDef } from '../../tools/convert/graphdef';
import { basicLstmCell as referenceLstmCell, referenceBeamSearch, rowTimes, softmax } from '../helpers/reference-math';

/** The resized size (im2txt: 346) and the central crop the encoder sees (im2txt: 299). */
export const RESIZE = 12;
export const CROP = 10;
const CROP_OFFSET = (RESIZE - CROP) / 2;
const CONV1 = { kernel: 3, stride: 2, padding: 'VALID', in: 3, out: 4 } as const;
const CONV2 = { kernel: 3, stride: 1, padding: 'SAME', in: 4, out: 6 } as const;
const FEATURES = CONV2.out;
/** TF's default for slim.batch_norm in InceptionV3 (im2txt's batch_norm_params). */
const BATCH_NORM_EPSILON = 0.001;

/** word_counts.txt lines, im2txt style (sorted by count); the unknown word's id is their number. */
export const TEST_WORDS = ['a', '<S>', '</S>', '.', 'on', 'of', 'the', 'in', 'dog', 'grass', 'runs', 'cat'];
export const VOCABULARY_SIZE = TEST_WORDS.length + 1;
export const TEST_WORD_COUNTS = TEST_WORDS.map((word, i) => `${word} ${1000 - i}`).join('\n') + '\n';
/** What the `captionChain` weights make the model say, whatever the image. */
export const EXPECTED_CAPTION = ['a', 'dog', 'runs', 'on', 'the', 'grass', '.'];

const EMBEDDING = VOCABULARY_SIZE;
const UNITS = VOCABULARY_SIZE;
export const STATE_SIZE = 2 * UNITS;

export interface TestWeights {
  conv1: Float32Array; // [3, 3, 3, 4]
  bn1: { gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array };
  conv2: Float32Array; // [3, 3, 4, 6]
  bn2: { beta: Float32Array; mean: Float32Array; variance: Float32Array }; // slim's scale=False: no gamma
  imageEmbedding: Float32Array; // [FEATURES, EMBEDDING]
  seqEmbedding: Float32Array; // [VOCABULARY_SIZE, EMBEDDING]
  lstmKernel: Float32Array; // [EMBEDDING + UNITS, 4 * UNITS], gates i, j, f, o
  lstmBias: Float32Array; // [4 * UNITS]
  logitsWeights: Float32Array; // [UNITS, VOCABULARY_SIZE]
  logitsBias: Float32Array; // [VOCABULARY_SIZE]
}

/** Deterministic pseudo-random numbers in [-1, 1) (mulberry32). */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/**
 * Random weights; with `captionChain` the word model becomes a lookup table: the LSTM copies the
 * one-hot input word into its output and the logits map each caption word to the next one.
 */
export function createTestWeights(seed: number, { captionChain = false } = {}): TestWeights {
  const random = randomSource(seed);
  const values = (count: number, scale = 0.5, bias = 0) => Float32Array.from({ length: count }, () => bias + scale * random());
  const weights: TestWeights = {
    conv1: values(3 * 3 * CONV1.in * CONV1.out),
    bn1: { gamma: values(CONV1.out, 0.3, 1), beta: values(CONV1.out, 0.2), mean: values(CONV1.out, 0.2), variance: values(CONV1.out, 0.3, 0.8) },
    conv2: values(3 * 3 * CONV2.in * CONV2.out),
    bn2: { beta: values(CONV2.out, 0.2), mean: values(CONV2.out, 0.2), variance: values(CONV2.out, 0.3, 0.8) },
    imageEmbedding: values(FEATURES * EMBEDDING),
    seqEmbedding: values(VOCABULARY_SIZE * EMBEDDING),
    lstmKernel: values((EMBEDDING + UNITS) * 4 * UNITS),
    lstmBias: values(4 * UNITS),
    logitsWeights: values(UNITS * VOCABULARY_SIZE, 2),
    logitsBias: values(VOCABULARY_SIZE),
  };
  if (captionChain) {
    const id = (word: string) => TEST_WORDS.indexOf(word);
    const sentence = ['<S>', ...EXPECTED_CAPTION, '</S>'].map(id);
    weights.seqEmbedding = Float32Array.from({ length: VOCABULARY_SIZE * EMBEDDING }, (_, i) => (i % (EMBEDDING + 1) === 0 ? 1 : 0));
    weights.lstmKernel.fill(0);
    weights.lstmBias.fill(0);
    for (let unit = 0; unit < UNITS; unit++) {
      weights.lstmKernel[unit * 4 * UNITS + UNITS + unit] = 3; // j gate: word `unit` → cell `unit`
      weights.lstmBias[unit] = 10; // input gate open
      weights.lstmBias[2 * UNITS + unit] = -10; // forget gate shut
      weights.lstmBias[3 * UNITS + unit] = 10; // output gate open
    }
    // The random logits bias stays: the other words get distinct probabilities, so the runners-up are well defined.
    weights.logitsWeights.fill(0);
    for (let step = 0; step + 1 < sentence.length; step++) weights.logitsWeights[sentence[step] * VOCABULARY_SIZE + sentence[step + 1]] = 10;
  }
  return weights;
}

// ---------------------------------------------------------------------------------------------
// The GraphDef

const text = (value: string): AttrValue => ({ s: new TextEncoder().encode(value) });
const dtype = (type: string): AttrValue => ({ type });
const ints = (values: number[]): AttrValue => ({ list: { i: values } });

class GraphDefBuilder {
  readonly nodes: NodeDef[] = [];

  op(name: string, op: string, input: string[], attr: Record<string, AttrValue> = {}): string {
    this.nodes.push({ name, op, input, attr, device: '/device:CPU:0' });
    return name;
  }

  constant(name: string, type: 'DT_FLOAT' | 'DT_INT32' | 'DT_INT64', shape: number[], values: ArrayLike<number>): string {
    const content =
      type === 'DT_FLOAT' ? new Float32Array(values) : type === 'DT_INT32' ? new Int32Array(values) : BigInt64Array.from(Array.from(values), BigInt);
    const tensor = { dtype: type, tensorShape: { dim: shape.map((size) => ({ size })) }, tensorContent: new Uint8Array(content.buffer) };
    return this.op(name, 'Const', [], { dtype: dtype(type), value: { tensor } });
  }

  /** A scalar the way TF writes small constants: in float_val / int_val rather than tensor_content. */
  scalar(name: string, value: number, type: 'DT_FLOAT' | 'DT_INT32' = 'DT_FLOAT'): string {
    const tensor = { dtype: type, tensorShape: {}, ...(type === 'DT_FLOAT' ? { floatVal: [value] } : { intVal: [value] }) };
    return this.op(name, 'Const', [], { dtype: dtype(type), value: { tensor } });
  }

  /** A frozen variable: its value as a Const, read through an Identity as freeze_graph leaves it. */
  variable(name: string, shape: number[], values: Float32Array): string {
    this.constant(name, 'DT_FLOAT', shape, values);
    return this.op(`${name}/read`, 'Identity', [name], { T: dtype('DT_FLOAT'), _class: { list: { s: [new TextEncoder().encode(`loc:@${name}`)] } } });
  }

  binary(name: string, op: string, a: string, b: string): string {
    return this.op(name, op, [a, b], { T: dtype('DT_FLOAT') });
  }

  unary(name: string, op: string, x: string): string {
    return this.op(name, op, [x], { T: dtype('DT_FLOAT') });
  }
}

export interface TestGraphOptions {
  /** Leave out endpoint nodes, for the error tests. */
  omit?: string[];
  /** Replace the op of nodes (by name), e.g. to put an op tfjs cannot run on the path. */
  replaceOps?: Record<string, string>;
}

export function buildTestGraph(weights: TestWeights, options: TestGraphOptions = {}): GraphDef {
  const g = new GraphDefBuilder();
  buildImageFront(g);
  const features = buildEncoder(g, weights);
  buildWordModel(g, weights, features);
  // Training and bookkeeping leftovers that pruning must drop (tfjs could not run them).
  g.op('global_step', 'VariableV2', [], { dtype: dtype('DT_INT64') });
  g.op('save/SaveV2', 'SaveV2', ['global_step']);
  g.op('summaries/loss', 'ScalarSummary', ['softmax']);

  const omit = new Set(options.omit);
  const nodes = g.nodes.filter((node) => !omit.has(node.name)).map((node) => ({ ...node, op: options.replaceOps?.[node.name] ?? node.op }));
  return { node: nodes, versions: { producer: 21 } };
}

/** image_processing.process_image in inference mode, as TF 1.x lays it out. */
function buildImageFront(g: GraphDefBuilder): void {
  g.op('image_feed', 'Placeholder', [], { dtype: dtype('DT_STRING'), shape: { shape: {} } });
  g.op('decode/DecodeJpeg', 'DecodeJpeg', ['image_feed'], { channels: { i: 3 }, dct_method: text('') });
  g.op('convert_image/Cast', 'Cast', ['decode/DecodeJpeg'], { SrcT: dtype('DT_UINT8'), DstT: dtype('DT_FLOAT') });
  g.binary('convert_image', 'Mul', 'convert_image/Cast', g.scalar('convert_image/y', 1 / 255));
  g.op('resize/ExpandDims', 'ExpandDims', ['convert_image', g.scalar('resize/ExpandDims/dim', 0, 'DT_INT32')]);
  g.op('resize/ResizeBilinear', 'ResizeBilinear', ['resize/ExpandDims', g.constant('resize/size', 'DT_INT32', [2], [RESIZE, RESIZE])], {
    align_corners: { b: false },
  });
  g.op('resize/Squeeze', 'Squeeze', ['resize/ResizeBilinear'], { squeeze_dims: ints([0]) });
  // resize_image_with_crop_or_pad: a 4-D Slice with a packed box, an Assert, and a no-op Pad.
  g.op('crop/ExpandDims', 'ExpandDims', ['resize/Squeeze', g.scalar('crop/ExpandDims/dim', 0, 'DT_INT32')]);
  g.op('crop/Assert', 'Assert', ['crop/assert_condition'], { T: { list: { type: ['DT_STRING'] } } });
  g.op('crop/assert_condition', 'Const', [], { dtype: dtype('DT_BOOL'), value: { tensor: { dtype: 'DT_BOOL', tensorShape: {}, boolVal: [true] } } });
  g.op('crop/control_dependency', 'Identity', ['crop/ExpandDims', '^crop/Assert'], { T: dtype('DT_FLOAT') });
  const offset = g.scalar('crop/offset', CROP_OFFSET, 'DT_INT32');
  const zero = g.scalar('crop/zero', 0, 'DT_INT32');
  const begin = g.op('crop/stack', 'Pack', [zero, offset, offset, zero], { N: { i: 4 }, axis: { i: 0 } });
  const size = g.constant('crop/stack_1', 'DT_INT32', [4], [-1, CROP, CROP, -1]);
  g.op('crop/Slice', 'Slice', ['crop/control_dependency', begin, size], { T: dtype('DT_FLOAT'), Index: dtype('DT_INT32') });
  g.op('crop/Pad', 'Pad', ['crop/Slice', g.constant('crop/paddings', 'DT_INT32', [4, 2], new Array(8).fill(0))]);
  g.op('crop/Squeeze', 'Squeeze', ['crop/Pad'], { squeeze_dims: ints([0]) });
  g.binary('Sub', 'Sub', 'crop/Squeeze', g.scalar('Sub/y', 0.5));
  g.binary('Mul', 'Mul', 'Sub', g.scalar('Mul/y', 2));
  g.op('ExpandDims', 'ExpandDims', ['Mul', g.scalar('ExpandDims/dim', 0, 'DT_INT32')]);
}

/** As TF 1.0 wrote Conv2D: no `dilations` attribute (added in TF 1.5). */
function conv2d(g: GraphDefBuilder, scope: string, input: string, spec: typeof CONV1 | typeof CONV2, filter: Float32Array): string {
  const weights = g.variable(`InceptionV3/${scope}/weights`, [spec.kernel, spec.kernel, spec.in, spec.out], filter);
  return g.op(`InceptionV3/InceptionV3/${scope}/Conv2D`, 'Conv2D', [input, weights], {
    T: dtype('DT_FLOAT'),
    strides: ints([1, spec.stride, spec.stride, 1]),
    padding: text(spec.padding),
    data_format: text('NHWC'),
    use_cudnn_on_gpu: { b: true },
  });
}

/** A cut-down InceptionV3: one conv with FusedBatchNorm, one with slim's unfused batch norm, pools. */
function buildEncoder(g: GraphDefBuilder, w: TestWeights): string {
  const conv1 = conv2d(g, 'Conv2d_1a_3x3', 'ExpandDims', CONV1, w.conv1);
  const bn1 = 'InceptionV3/Conv2d_1a_3x3/BatchNorm';
  const norm1 = g.op(`InceptionV3/InceptionV3/Conv2d_1a_3x3/BatchNorm/FusedBatchNorm`, 'FusedBatchNorm', [
    conv1,
    g.variable(`${bn1}/gamma`, [CONV1.out], w.bn1.gamma),
    g.variable(`${bn1}/beta`, [CONV1.out], w.bn1.beta),
    g.variable(`${bn1}/moving_mean`, [CONV1.out], w.bn1.mean),
    g.variable(`${bn1}/moving_variance`, [CONV1.out], w.bn1.variance),
  ], { T: dtype('DT_FLOAT'), epsilon: { f: BATCH_NORM_EPSILON }, data_format: text('NHWC'), is_training: { b: false } });
  const relu1 = g.unary('InceptionV3/InceptionV3/Conv2d_1a_3x3/Relu', 'Relu', norm1);

  const conv2 = conv2d(g, 'Conv2d_2a_3x3', relu1, CONV2, w.conv2);
  const bn2 = 'InceptionV3/Conv2d_2a_3x3/BatchNorm';
  const ops = 'InceptionV3/InceptionV3/Conv2d_2a_3x3/BatchNorm/batchnorm';
  const add = g.binary(`${ops}/add`, 'Add', g.variable(`${bn2}/moving_variance`, [CONV2.out], w.bn2.variance), g.scalar(`${ops}/add/y`, BATCH_NORM_EPSILON));
  const rsqrt = g.unary(`${ops}/Rsqrt`, 'Rsqrt', add);
  const scaled = g.binary(`${ops}/mul`, 'Mul', conv2, rsqrt);
  const meanScaled = g.binary(`${ops}/mul_1`, 'Mul', g.variable(`${bn2}/moving_mean`, [CONV2.out], w.bn2.mean), rsqrt);
  const shift = g.binary(`${ops}/sub`, 'Sub', g.variable(`${bn2}/beta`, [CONV2.out], w.bn2.beta), meanScaled);
  const norm2 = g.binary(`${ops}/add_1`, 'Add', scaled, shift);
  const relu2 = g.unary('InceptionV3/InceptionV3/Conv2d_2a_3x3/Relu', 'Relu', norm2);

  const pool = (name: string, op: string, input: string) =>
    g.op(name, op, [input], { T: dtype('DT_FLOAT'), ksize: ints([1, 2, 2, 1]), strides: ints([1, 2, 2, 1]), padding: text('VALID'), data_format: text('NHWC') });
  const maxPool = pool('InceptionV3/InceptionV3/MaxPool_3a_3x3/MaxPool', 'MaxPool', relu2);
  const avgPool = pool('InceptionV3/Logits/AvgPool_1a_8x8/AvgPool', 'AvgPool', maxPool);
  return g.op('InceptionV3/Logits/Flatten/Reshape', 'Reshape', [avgPool, g.constant('InceptionV3/Logits/Flatten/Shape', 'DT_INT32', [2], [-1, FEATURES])], {
    T: dtype('DT_FLOAT'),
  });
}

/** tf.contrib.rnn.BasicLSTMCell(num_units, state_is_tuple=True).__call__, TF 1.x op for op. */
function basicLstmCell(g: GraphDefBuilder, scope: string, input: string, c: string, h: string): { c: string; h: string } {
  const concat = g.op(`${scope}/concat`, 'ConcatV2', [input, h, g.scalar(`${scope}/concat/axis`, 1, 'DT_INT32')], { N: { i: 2 }, T: dtype('DT_FLOAT') });
  const matmul = g.op(`${scope}/MatMul`, 'MatMul', [concat, 'lstm/basic_lstm_cell/kernel/read'], { T: dtype('DT_FLOAT'), transpose_a: { b: false }, transpose_b: { b: false } });
  const gates = g.op(`${scope}/BiasAdd`, 'BiasAdd', [matmul, 'lstm/basic_lstm_cell/bias/read'], { T: dtype('DT_FLOAT'), data_format: text('NHWC') });
  const split = g.op(`${scope}/split`, 'Split', [g.scalar(`${scope}/split/split_dim`, 1, 'DT_INT32'), gates], { num_split: { i: 4 }, T: dtype('DT_FLOAT') });
  const [i, j, f, o] = [0, 1, 2, 3].map((k) => (k === 0 ? split : `${split}:${k}`));
  const forget = g.binary(`${scope}/add`, 'Add', f, g.scalar(`${scope}/add/y`, 1));
  const kept = g.binary(`${scope}/mul`, 'Mul', c, g.unary(`${scope}/Sigmoid`, 'Sigmoid', forget));
  const written = g.binary(`${scope}/mul_1`, 'Mul', g.unary(`${scope}/Sigmoid_1`, 'Sigmoid', i), g.unary(`${scope}/Tanh`, 'Tanh', j));
  const newC = g.binary(`${scope}/add_1`, 'Add', kept, written);
  const newH = g.binary(`${scope}/mul_2`, 'Mul', g.unary(`${scope}/Tanh_1`, 'Tanh', newC), g.unary(`${scope}/Sigmoid_2`, 'Sigmoid', o));
  return { c: newC, h: newH };
}

/** ShowAndTellModel.build_image_embeddings / build_seq_embeddings / build_model in inference mode. */
function buildWordModel(g: GraphDefBuilder, w: TestWeights, features: string): void {
  const embeddingWeights = g.variable('image_embedding/weights', [FEATURES, EMBEDDING], w.imageEmbedding);
  const imageEmbedding = g.op('image_embedding/MatMul', 'MatMul', [features, embeddingWeights], { T: dtype('DT_FLOAT') });
  g.variable('lstm/basic_lstm_cell/kernel', [EMBEDDING + UNITS, 4 * UNITS], w.lstmKernel);
  g.variable('lstm/basic_lstm_cell/bias', [4 * UNITS], w.lstmBias);

  // zero_state(batch_size=1): tf.zeros of a shape tensor, which TF 1.x writes as Fill(shape, 0).
  const zeros = (name: string) =>
    g.op(name, 'Fill', [g.constant(`${name}/shape_as_tensor`, 'DT_INT32', [2], [1, UNITS]), g.scalar(`${name}/Const`, 0)], {
      T: dtype('DT_FLOAT'),
      index_type: dtype('DT_INT32'),
    });
  const [c, h] = [zeros('lstm/BasicLSTMCellZeroState/zeros'), zeros('lstm/BasicLSTMCellZeroState/zeros_1')];
  const initial = basicLstmCell(g, 'lstm/basic_lstm_cell', imageEmbedding, c, h);
  g.op('lstm/initial_state', 'ConcatV2', [initial.c, initial.h, g.scalar('lstm/initial_state/axis', 1, 'DT_INT32')], { N: { i: 2 }, T: dtype('DT_FLOAT') });

  g.op('input_feed', 'Placeholder', [], { dtype: dtype('DT_INT64'), shape: { shape: { dim: [{ size: -1 }] } } });
  const inputSeqs = g.op('ExpandDims_1', 'ExpandDims', ['input_feed', g.scalar('ExpandDims_1/dim', 1, 'DT_INT32')], { T: dtype('DT_INT64') });
  const map = g.variable('seq_embedding/map', [VOCABULARY_SIZE, EMBEDDING], w.seqEmbedding);
  // TF 1.0's tf.nn.embedding_lookup with one shard: a Gather (GatherV2 only from TF 1.3).
  const lookup = g.op('seq_embedding/embedding_lookup', 'Gather', [map, inputSeqs], {
    Tparams: dtype('DT_FLOAT'),
    Tindices: dtype('DT_INT64'),
    validate_indices: { b: true },
  });
  const words = g.op('lstm/Squeeze', 'Squeeze', [lookup], { T: dtype('DT_FLOAT'), squeeze_dims: ints([1]) });

  g.op('lstm/state_feed', 'Placeholder', [], { dtype: dtype('DT_FLOAT'), shape: { shape: { dim: [{ size: -1 }, { size: STATE_SIZE }] } } });
  const split = g.op('lstm/split', 'Split', [g.scalar('lstm/split/split_dim', 1, 'DT_INT32'), 'lstm/state_feed'], { num_split: { i: 2 }, T: dtype('DT_FLOAT') });
  const next = basicLstmCell(g, 'lstm/basic_lstm_cell_1', words, split, `${split}:1`);
  g.op('lstm/state', 'ConcatV2', [next.c, next.h, g.scalar('lstm/state/axis', 1, 'DT_INT32')], { N: { i: 2 }, T: dtype('DT_FLOAT') });
  const outputs = g.op('lstm/Reshape', 'Reshape', [next.h, g.constant('lstm/Reshape/shape', 'DT_INT32', [2], [-1, UNITS])], { T: dtype('DT_FLOAT') });

  const logitsWeights = g.variable('logits/weights', [UNITS, VOCABULARY_SIZE], w.logitsWeights);
  const logitsBias = g.variable('logits/biases', [VOCABULARY_SIZE], w.logitsBias);
  const matmul = g.op('logits/MatMul', 'MatMul', [outputs, logitsWeights], { T: dtype('DT_FLOAT') });
  g.op('logits/BiasAdd', 'BiasAdd', [matmul, logitsBias], { T: dtype('DT_FLOAT'), data_format: text('NHWC') });
  g.unary('softmax', 'Softmax', 'logits/BiasAdd');
}

// ---------------------------------------------------------------------------------------------
// Plain-JS reference evaluation (row-major arrays, batch 1 for the image)

/** What TF's front computes from decoded 0–255 RGB of the resized size: (x/255 − 0.5) × 2. */
export function tfNormalise(rgb: ArrayLike<number>): Float32Array {
  return Float32Array.from(rgb, (value) => (value / 255 - 0.5) * 2);
}

function conv(input: Float32Array, size: number, spec: typeof CONV1 | typeof CONV2, filter: Float32Array): { data: Float32Array; size: number } {
  const out = spec.padding === 'VALID' ? Math.floor((size - spec.kernel) / spec.stride) + 1 : Math.ceil(size / spec.stride);
  const padBefore = spec.padding === 'VALID' ? 0 : Math.floor(Math.max((out - 1) * spec.stride + spec.kernel - size, 0) / 2);
  const data = new Float32Array(out * out * spec.out);
  for (let y = 0; y < out; y++)
    for (let x = 0; x < out; x++)
      for (let o = 0; o < spec.out; o++) {
        let sum = 0;
        for (let ky = 0; ky < spec.kernel; ky++)
          for (let kx = 0; kx < spec.kernel; kx++) {
            const iy = y * spec.stride + ky - padBefore;
            const ix = x * spec.stride + kx - padBefore;
            if (iy < 0 || ix < 0 || iy >= size || ix >= size) continue;
            for (let c = 0; c < spec.in; c++) sum += input[(iy * size + ix) * spec.in + c] * filter[((ky * spec.kernel + kx) * spec.in + c) * spec.out + o];
          }
        data[(y * out + x) * spec.out + o] = sum;
      }
  return { data, size: out };
}

function pool2x2(input: Float32Array, size: number, channels: number, reduce: (values: number[]) => number): { data: Float32Array; size: number } {
  const out = Math.floor(size / 2);
  const data = new Float32Array(out * out * channels);
  for (let y = 0; y < out; y++)
    for (let x = 0; x < out; x++)
      for (let c = 0; c < channels; c++) {
        const window = [0, 1, 2, 3].map((k) => input[((2 * y + (k >> 1)) * size + 2 * x + (k & 1)) * channels + c]);
        data[(y * out + x) * channels + c] = reduce(window);
      }
  return { data, size: out };
}

/** One LSTM step as the converted graph's concatenated state [c, h]. */
function lstmCell(w: TestWeights, input: ArrayLike<number>, c: ArrayLike<number>, h: ArrayLike<number>): Float32Array {
  const next = referenceLstmCell(w.lstmKernel, w.lstmBias, input, c, h);
  const state = new Float32Array(STATE_SIZE);
  state.set(next.c);
  state.set(next.h, UNITS);
  return state;
}

/** lstm/initial_state for one normalised image of RESIZE×RESIZE×3 (the converted graph's input). */
export function referenceInitialState(w: TestWeights, image: Float32Array): Float32Array {
  const cropped = new Float32Array(CROP * CROP * 3);
  for (let y = 0; y < CROP; y++)
    for (let x = 0; x < CROP; x++)
      for (let c = 0; c < 3; c++) cropped[(y * CROP + x) * 3 + c] = image[((y + CROP_OFFSET) * RESIZE + x + CROP_OFFSET) * 3 + c];
  const c1 = conv(cropped, CROP, CONV1, w.conv1);
  const n1 = c1.data.map((v, i) => {
    const ch = i % CONV1.out;
    const normalised = ((v - w.bn1.mean[ch]) / Math.sqrt(w.bn1.variance[ch] + BATCH_NORM_EPSILON)) * w.bn1.gamma[ch] + w.bn1.beta[ch];
    return Math.max(0, normalised);
  });
  const c2 = conv(n1, c1.size, CONV2, w.conv2);
  const n2 = c2.data.map((v, i) => {
    const ch = i % CONV2.out;
    return Math.max(0, (v - w.bn2.mean[ch]) / Math.sqrt(w.bn2.variance[ch] + BATCH_NORM_EPSILON) + w.bn2.beta[ch]);
  });
  const maxPooled = pool2x2(n2, c2.size, CONV2.out, (values) => Math.max(...values));
  const features = pool2x2(maxPooled.data, maxPooled.size, CONV2.out, (values) => values.reduce((a, b) => a + b) / values.length).data;
  const embedding = rowTimes(features, w.imageEmbedding, EMBEDDING);
  const zeros = new Float32Array(UNITS);
  return lstmCell(w, embedding, zeros, zeros);
}

/** softmax and lstm/state rows for one (word, state) pair. */
export function referenceStep(w: TestWeights, wordId: number, state: ArrayLike<number>): { softmax: Float32Array; state: Float32Array } {
  const embedding = w.seqEmbedding.subarray(wordId * EMBEDDING, (wordId + 1) * EMBEDDING);
  const stateArray = Array.from(state);
  const next = lstmCell(w, embedding, stateArray.slice(0, UNITS), stateArray.slice(UNITS));
  const logits = rowTimes(next.subarray(UNITS), w.logitsWeights, VOCABULARY_SIZE).map((v, k) => v + w.logitsBias[k]);
  return { softmax: softmax(logits), state: next };
}

/**
 * The captions and p that im2txt's beam search (beam 3, up to 20 words) finds for a photo of one
 * grey level, computed without tfjs: whatever the resizing, the model's input is that level, normalised.
 */
export function referenceCaptions(w: TestWeights, grey: number): { words: string[]; p: number }[] {
  const image = tfNormalise(new Array(RESIZE * RESIZE * 3).fill(grey));
  const step = (id: number, state: Float32Array) => {
    const next = referenceStep(w, id, state);
    return { probabilities: next.softmax, state: next.state };
  };
  const words = { startId: TEST_WORDS.indexOf('<S>'), endId: TEST_WORDS.indexOf('</S>') };
  const word = (id: number) => TEST_WORDS[id] ?? '<UNK>';
  return referenceBeamSearch(referenceInitialState(w, image), step, words).map((caption) => ({ words: caption.wordIds.map(word), p: caption.p }));
}

/**
 * Where captions (best first) depart from the reference's: a different sentence, or a p off by more
 * than 1% of the reference's (plus half of the last of the 6 decimals the page shows). Empty when they agree.
 */
export function differencesFromReference(
  captions: readonly { text: string; p: number }[],
  reference: readonly { words: string[]; p: number }[],
): string[] {
  const differences: string[] = [];
  if (captions.length !== reference.length) differences.push(`${captions.length} captions, the reference has ${reference.length}`);
  reference.forEach((expected, i) => {
    const actual = captions[i];
    const text = expected.words.join(' ');
    if (actual?.text !== text) differences.push(`caption ${i}: "${actual?.text}", the reference says "${text}"`);
    else if (Math.abs(actual.p - expected.p) > 0.01 * expected.p + 5e-7) {
      differences.push(`caption ${i} "${text}": p=${actual.p}, the reference says ${expected.p}`);
    }
  });
  return differences;
}
