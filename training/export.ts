/**
 * Step 4: write the trained model as an app package (the im2txt inference interface).
 *
 *   tsx training/export.ts --run .cache/runs/NAME --out public/models/show-and-tell-centernet [--quantize uint8|float16|none]
 *
 * The graph is CenterNet pruned to the two activations the features use and its own detection
 * decoding, rewritten to take any input size (any-input-size.ts: card.json `liveImage` uses it), the feature ops of
 * training/encoder.ts (`image_features`), the image embedding (feature standardisation folded in by
 * train.py), and the shared im2txt decoder. CenterNet's weights stay float16 as shipped; `--quantize`
 * applies to the decoder's weights (uint8: the two vocabulary-sized matrices and the LSTM kernel, the rest float16);
 * `--uint8-weights` names more weights, any part, that take 8 bits (training/weight-precision.ts measures which);
 * `--uint8-per-channel` names convolution weights that take 8 bits with a scale per output channel
 * (training/uint8-per-channel.json: the encoder's, shared by every package built on this CenterNet).
 * card.json is completed from --card (metrics, training facts).
 * The encoder's weights go to files of their own in public/models/encoders/centernet-mnv3 (named by their
 * content), which every package exported with the same encoder precision names: the browser downloads them once.
 * `--nouns` (a German vocabulary's nouns.txt, training/prepare_de.py) ships the nouns the shown sentence capitalises.
 * A run of training/attend.py (its weights.json names the attention) gets the attending decoder instead:
 * the region vectors of training/region-graph.ts and tools/graph/attend-decoder.ts, with card.json `attention`.
 */
import { existsSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_NODES, parseModelCard, type ModelCard } from '../src/captioner/card';
import { parseNounList } from '../src/captioner/format';
import { DEFAULT_WORDS } from '../src/captioner/sentence-words';
import { Vocabulary } from '../src/captioner/vocabulary';
import { isEntryPoint } from '../src/node/entry-point';
import { pruneToOutputs, redirectInputs } from '../tools/convert/graph-edit';
import {
  addIm2txtDecoder,
  attr,
  GraphBuilder,
  readGraphModel,
  readModelList,
  registerModel,
  removeUnusedSharedFiles,
  writeGraphModel,
  writeModelList,
  type Quantization,
} from '../tools/graph';
import { addAttendDecoder, EVIDENCE_BIASES, EVIDENCE_WEIGHTS, REGIONS_FEED, REGIONS_OUTPUT, WORD_CLASSES, type AttentionKind } from '../tools/graph/attend-decoder';
import { channelScaleName, foldChannelScales } from '../tools/graph/channel-scales';
import { addLinear, type LinearWeights } from '../tools/graph/linear';
import { acceptAnyInputSize } from './any-input-size';
import type { PrecisionChoice } from './weight-precision';
import { addRegionVectors } from './region-graph';
import { BACKBONE_NODE, CENTERNET_INPUT, CENTERNET_JSON, centernetImageSpec, COCO_LABELS, DETECTIONS_NODE, FEATURE_SIZE, HEATMAP_NODE } from './encoder';

/** Node whose value equals encodeFeatures() in training/encoder.ts; eval and parity tests feed or read it. */
export const FEATURES_NODE = 'image_features';
/** The detector's outputs, named in card.json `detector`: evidence per class, and decoded detections. */
export const CLASS_SCORES_NODE = 'image_features/heatmap_max';
export const DETECTIONS_OUTPUT = 'detections';
/** The object-word table shipped with the package as objects.json. */
export const OBJECT_WORDS_FILE = path.join(import.meta.dirname, 'objects.json');
/** Where the encoder's shared weight files go, relative to a package's folder (a sibling of the packages). */
export const SHARED_ENCODER_FOLDER = '../encoders/centernet-mnv3';
/** The package's noun list, named in card.json `words.nouns`. */
export const NOUNS_FILE = 'nouns.txt';

interface TrainedWeights {
  /** Set by training/attend.py; train.py's im2txt decoder has none. */
  attention?: AttentionKind;
  units: number;
  forgetBias: number;
  /** Set by attend.py for a decoder that weighs the detector's evidence (see WordEvidenceSpec). */
  evidenceFloor?: number;
  tensors: Record<string, { shape: number[]; offset: number }>;
}

async function readTrainedWeights(runDir: string) {
  const manifest = JSON.parse(await readFile(path.join(runDir, 'weights.json'), 'utf8')) as TrainedWeights;
  const bytes = await readFile(path.join(runDir, 'weights.bin'));
  const tensor = (name: string) => {
    const entry = manifest.tensors[name];
    if (!entry) throw new Error(`${runDir}/weights.json has no tensor ${name}`);
    const size = entry.shape.reduce((a, b) => a * b, 1);
    return { shape: entry.shape, data: new Float32Array(bytes.buffer.slice(bytes.byteOffset + entry.offset, bytes.byteOffset + entry.offset + size * 4)) };
  };
  return { manifest, tensor };
}

/** training/uint8-per-channel.json: the convolution weights stored in 8 bits with per-channel scales. */
export interface PerChannelChoice {
  perChannel: string[];
}

export interface ExportOptions {
  runDir: string;
  vocabFile: string;
  outDir: string;
  quantize?: Quantization;
  /** More weights to write in 8 bits, chosen by measurement (training/weight-precision.ts). */
  uint8Weights?: readonly string[];
  /** Convolution weights to write in 8 bits with a scale per output channel (tools/graph/channel-scales.ts). */
  uint8PerChannel?: readonly string[];
  /** Leave out the words counted fewer times in the training captions (attending runs only). */
  minWordCount?: number;
  card: Partial<ModelCard>;
  /** objects.json to ship (default: training/objects.json, the English object words). */
  objectWordsFile?: string;
  /** training/prepare_de.py's nouns.txt: its words in the vocabulary are shipped as the noun list. */
  nounsFile?: string;
}

/**
 * The nouns the package capitalises: those of prepare_de.py's list that the vocabulary has, less the
 * gendered person words its cleaning left in the vocabulary (cleaning.json beside the list): every
 * gendered person noun was made neutral, so those words ("junge") remain only as adjectives ("eine junge Person").
 */
export async function packageNouns(nounsFile: string, vocabulary: Vocabulary): Promise<string[]> {
  const cleaningFile = path.join(path.dirname(nounsFile), 'cleaning.json');
  const cleaning = existsSync(cleaningFile) ? (JSON.parse(await readFile(cleaningFile, 'utf8')) as Record<string, unknown>) : {};
  const adjectivesOnly = new Set((cleaning['gendered person words left in the vocabulary'] as string[] | undefined) ?? []);
  const nouns = [...parseNounList(await readFile(nounsFile, 'utf8'))];
  return nouns.filter((noun) => vocabulary.id(noun) !== vocabulary.unknownId && !adjectivesOnly.has(noun));
}

type ReadTensor = (name: string) => { shape: number[]; data: Float32Array };

/** attend.py's tensors with a row per vocabulary word (the softmax is tied to the word embedding). */
const VOCABULARY_ROWS = new Set(['seq_embedding/map', 'logits/biases', WORD_CLASSES]);

/**
 * The vocabulary without the words counted fewer than `minCount` times in the training captions (the
 * sentence words always stay), and the trained tensors with only the kept words' rows and the unknown
 * word's. A word cut is one the model can no longer say; it only ever reads the words it said.
 */
function cutVocabulary(vocabText: string, minCount: number, tensor: ReadTensor): { text: string; tensor: ReadTensor } {
  const lines = vocabText.split('\n').filter((line) => line !== '');
  const rows = lines.flatMap((line, id) => {
    const [word, count] = line.split(' ');
    return Number(count) >= minCount || word === DEFAULT_WORDS.start || word === DEFAULT_WORDS.end ? [id] : [];
  });
  rows.push(lines.length); // the unknown word's row comes last
  const keepRows = ({ shape, data }: { shape: number[]; data: Float32Array }) => {
    if (shape[0] !== lines.length + 1) throw new Error(`a vocabulary tensor has ${shape[0]} rows, the vocabulary ${lines.length} words + unknown`);
    const rowSize = data.length / shape[0];
    const kept = new Float32Array(rows.length * rowSize);
    rows.forEach((row, i) => kept.set(data.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize));
    return { shape: [rows.length, ...shape.slice(1)], data: kept };
  };
  return {
    text: `${rows.slice(0, -1).map((row) => lines[row]).join('\n')}\n`,
    tensor: (name) => (VOCABULARY_ROWS.has(name) ? keepRows(tensor(name)) : tensor(name)),
  };
}

export async function exportModel(options: ExportOptions) {
  const trained = await readTrainedWeights(options.runDir);
  const { manifest } = trained;
  if (options.minWordCount !== undefined && !manifest.attention) throw new Error('a vocabulary cut (--min-word-count) needs an attending run (attend.py)');
  const fullVocabText = await readFile(options.vocabFile, 'utf8');
  const cut = options.minWordCount === undefined ? undefined : cutVocabulary(fullVocabText, options.minWordCount, trained.tensor);
  const tensor = cut?.tensor ?? trained.tensor;
  const vocabText = cut?.text ?? fullVocabText;
  /** A layer's weights and biases, and its standardisation when the run keeps it apart (attend.py). */
  const linearWeights = (name: string): LinearWeights => ({
    weights: tensor(`${name}/weights`),
    biases: tensor(`${name}/biases`),
    standardise: manifest.tensors[`${name}/mean`] ? { mean: tensor(`${name}/mean`), invStd: tensor(`${name}/inv_std`) } : undefined,
  });
  const vocabulary = Vocabulary.parse(vocabText);

  const centernet = await readGraphModel(CENTERNET_JSON);
  const encoderNodes = redirectInputs(
    pruneToOutputs(
      centernet.nodes.map((node) => ({ ...node, input: node.input ?? [] })),
      [BACKBONE_NODE, HEATMAP_NODE, DETECTIONS_NODE],
    ).filter((node) => node.name !== CENTERNET_INPUT),
    CENTERNET_INPUT,
    DEFAULT_NODES.image,
  );
  const kept = new Set(encoderNodes.map((node) => node.name));
  const spec = centernetImageSpec('squash');
  const encoder = acceptAnyInputSize(encoderNodes, centernet.weights.filter((weight) => kept.has(weight.name)), spec.height);
  // Every package's encoder weights are the same numbers: in shared files when stored alike.
  const encoderWeights = new Set(encoder.weights.map((weight) => weight.name));
  const graph = new GraphBuilder(encoder);
  // Any size (sides multiples of 32): card.json's `image` for photos, `liveImage` for camera frames.
  graph.placeholder(DEFAULT_NODES.image, 'float32', [1, -1, -1, 3]);
  const spatialAxes = graph.intConstant('image_features/spatial_axes', [2], [1, 2]);
  const pooled = graph.op('image_features/backbone_mean', 'Mean', [BACKBONE_NODE, spatialAxes], { keep_dims: attr.bool(false) });
  const objects = graph.op(CLASS_SCORES_NODE, 'Max', [HEATMAP_NODE, spatialAxes], { keep_dims: attr.bool(false) });
  graph.op(DETECTIONS_OUTPUT, 'Identity', [DETECTIONS_NODE], { T: attr.dtype('float32') });
  const featureAxis = graph.intConstant('image_features/axis', [], [1]);
  const features = graph.op(FEATURES_NODE, 'ConcatV2', [pooled, objects, featureAxis], { N: attr.int(2) });

  const imageWeights = linearWeights('image_embedding');
  if (imageWeights.weights.shape[0] !== FEATURE_SIZE) throw new Error(`image embedding expects ${imageWeights.weights.shape[0]} features, the encoder gives ${FEATURE_SIZE}`);
  const embeddingSize = imageWeights.weights.shape[1];
  const imageEmbedding = addLinear(graph, 'image_embedding', features, imageWeights);
  const wordEmbedding = tensor('seq_embedding/map');
  if (wordEmbedding.shape[0] !== vocabulary.size) {
    throw new Error(`the model has ${wordEmbedding.shape[0]} words, ${options.vocabFile} gives ${vocabulary.size} (lines + unknown)`);
  }
  const decoder = manifest.attention
    ? addAttendingDecoder(graph, manifest, tensor, linearWeights, imageEmbedding)
    : {
        attention: undefined,
        ...addIm2txtDecoder(graph, {
          imageEmbedding,
          embeddingSize,
          numUnits: manifest.units,
          vocabularySize: vocabulary.size,
          forgetBias: manifest.forgetBias,
          weights: {
            wordEmbedding: wordEmbedding.data,
            lstmKernel: tensor('lstm/kernel').data,
            lstmBias: tensor('lstm/bias').data,
            logitsWeights: tensor('logits/weights').data,
            logitsBias: tensor('logits/biases').data,
          },
        }),
      };
  const { stateSize } = decoder;

  const card = parseModelCard({
    ...options.card,
    id: path.basename(path.resolve(options.outDir)),
    fixture: false,
    image: spec,
    stateSize,
    vocabularySize: vocabulary.size,
    nodes: DEFAULT_NODES,
    attention: decoder.attention,
    words: options.nounsFile ? { ...DEFAULT_WORDS, nouns: NOUNS_FILE } : DEFAULT_WORDS,
    detector: options.card.detector && {
      ...options.card.detector,
      classScores: CLASS_SCORES_NODE,
      detections: DETECTIONS_OUTPUT,
      labels: COCO_LABELS,
    },
  });
  // uint8 goes to the two vocabulary-sized matrices and the LSTM kernel, which hold most of the
  // decoder's bytes. The detector stays float16 (uint8 per tensor measured: CIDEr-D 0.07 instead of
  // 0.48 on 200 validation photos), and so does the image embedding: it carries the folded feature
  // standardisation (weights / std), whose few huge values leave 256 levels per tensor too coarse.
  // attend.py's runs keep the standardisation apart, so their input layers' weights can take 8 bits too.
  const uint8Candidates = new Set(['seq_embedding/map', 'logits/weights', 'lstm/basic_lstm_cell/kernel', 'regions/features/weights']);
  if (imageWeights.standardise) uint8Candidates.add('image_embedding/weights');
  const isUint8Candidate = (name: string) => uint8Candidates.has(name) || /^attend\/lstm_\d+\/kernel_\d+$/.test(name);
  const centernetWeights = new Set(centernet.weights.map((weight) => weight.name));
  const perChannel = new Set(options.uint8PerChannel);
  const measuredUint8 = new Set([...(options.uint8Weights ?? []), ...perChannel]);
  const built = foldChannelScales(graph.build(), perChannel);
  const unknown = [...measuredUint8].filter((name) => !built.weights.some((weight) => weight.name === name));
  if (unknown.length > 0) throw new Error(`--uint8-weights names weights this graph does not have: ${unknown.join(', ')}`);
  const files = await writeGraphModel(options.outDir, built, {
    quantize: (weight) => {
      if (measuredUint8.has(weight.name)) return 'uint8';
      if (centernetWeights.has(weight.name)) return 'float16';
      if (!options.quantize) return undefined;
      return isUint8Candidate(weight.name) ? options.quantize : 'float16';
    },
    generatedBy: 'training/export.ts',
    // A folded filter's channel scales are the encoder's too.
    shared: { folder: SHARED_ENCODER_FOLDER, prefix: 'centernet-mnv3', holds: (weight) => encoderWeights.has(weight.name) || [...perChannel].some((name) => weight.name === channelScaleName(name)) },
  });
  await writeFile(path.join(options.outDir, 'word_counts.txt'), vocabText);
  await copyFile(options.objectWordsFile ?? OBJECT_WORDS_FILE, path.join(options.outDir, 'objects.json'));
  if (options.nounsFile) await writeFile(path.join(options.outDir, NOUNS_FILE), `${(await packageNouns(options.nounsFile, vocabulary)).join('\n')}\n`);
  await writeFile(path.join(options.outDir, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
  return { card, files };
}

/** training/attend.py's decoder: region vectors from the same CenterNet run, then attention at every word. */
function addAttendingDecoder(graph: GraphBuilder, manifest: TrainedWeights, tensor: ReadTensor, linearWeights: (name: string) => LinearWeights, imageEmbedding: string) {
  const { vectors, regionCount } = addRegionVectors(graph, { image: DEFAULT_NODES.image, backbone: BACKBONE_NODE, detections: DETECTIONS_NODE }, {
    features: linearWeights('regions/features'),
    geometry: linearWeights('regions/geometry'),
    classes: tensor('regions/class_embedding'),
  });
  const kind = manifest.attention!;
  const lstm = (name: string) => ({ kernel: tensor(`${name}/kernel`), bias: tensor(`${name}/bias`) });
  const evidence = manifest.evidenceFloor === undefined ? undefined : {
    classScores: CLASS_SCORES_NODE,
    classCount: COCO_LABELS.length,
    wordClasses: Int32Array.from(tensor(WORD_CLASSES).data),
    floor: manifest.evidenceFloor,
    coefficients: tensor(EVIDENCE_WEIGHTS),
    coefficientBiases: tensor(EVIDENCE_BIASES),
  };
  const { stateSize, photoRows } = addAttendDecoder(graph, {
    kind,
    units: manifest.units,
    regionCount,
    regionVectors: vectors,
    imageEmbedding,
    forgetBias: manifest.forgetBias,
    weights: {
      attentionRegion: tensor('attention/region_weights'), attentionRegionBias: tensor('attention/region_biases'),
      attentionState: tensor('attention/state_weights'),
      attentionScore: tensor('attention/score_weights'),
      wordEmbedding: tensor('seq_embedding/map'),
      project: tensor('logits/project_weights'), projectBias: tensor('logits/project_biases'),
      logitsBias: tensor('logits/biases'),
      lstms: kind === 'topdown' ? [lstm('attention_lstm'), lstm('language_lstm')] : [lstm('lstm')],
    },
    evidence,
  });
  const regionSize = tensor('seq_embedding/map').shape[1] + tensor('attention/state_weights').shape[1];
  return { stateSize, attention: { regions: REGIONS_OUTPUT, regionsFeed: REGIONS_FEED, regionCount: photoRows, regionSize } };
}

if (isEntryPoint(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      run: { type: 'string' },
      out: { type: 'string' },
      vocab: { type: 'string', default: path.join(import.meta.dirname, 'data', 'word_counts.txt') },
      quantize: { type: 'string', default: 'uint8' },
      card: { type: 'string', default: path.join(import.meta.dirname, 'card.base.json') },
      'uint8-weights': { type: 'string' },
      'uint8-per-channel': { type: 'string' },
      'min-word-count': { type: 'string' },
      objects: { type: 'string' },
      nouns: { type: 'string' },
      'make-default': { type: 'boolean', default: false },
    },
  });
  if (!values.run || !values.out) {
    throw new Error(
      'usage: export.ts --run RUN_DIR --out public/models/ID [--vocab word_counts.txt] [--quantize uint8|float16|none] [--card base.json] ' +
        '[--uint8-weights training/uint8-weights.json] [--uint8-per-channel training/uint8-per-channel.json] [--min-word-count N] ' +
        '[--objects objects.json] [--nouns training/data/de/nouns.txt] [--make-default]',
    );
  }
  const quantize = values.quantize === 'none' ? undefined : (values.quantize as Quantization);
  const baseCard = JSON.parse(await readFile(values.card, 'utf8')) as Partial<ModelCard>;
  const uint8Weights = values['uint8-weights'] ? (JSON.parse(await readFile(values['uint8-weights'], 'utf8')) as PrecisionChoice).uint8 : undefined;
  const uint8PerChannel = values['uint8-per-channel'] ? (JSON.parse(await readFile(values['uint8-per-channel'], 'utf8')) as PerChannelChoice).perChannel : undefined;
  const { card, files } = await exportModel({
    runDir: values.run,
    vocabFile: values.vocab,
    outDir: values.out,
    quantize,
    uint8Weights,
    uint8PerChannel,
    minWordCount: values['min-word-count'] === undefined ? undefined : Number(values['min-word-count']),
    card: baseCard,
    objectWordsFile: values.objects,
    nounsFile: values.nouns,
  });
  const modelsDir = path.dirname(path.resolve(values.out));
  const modelsJson = path.join(modelsDir, 'models.json');
  await writeModelList(modelsJson, registerModel(await readModelList(modelsJson), card, { makeDefault: values['make-default'] }));
  const unused = await removeUnusedSharedFiles(modelsDir, path.resolve(values.out, SHARED_ENCODER_FOLDER));
  console.error(`wrote ${files.length} files to ${values.out}; registered in ${modelsJson}${unused.length > 0 ? `; removed encoder files no package names: ${unused.join(', ')}` : ''}`);
}
