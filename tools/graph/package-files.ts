import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DType, GraphModelSpec, GraphNode, Weight } from './graph-def';
import { fromFloat16Bits, toFloat16Bits } from './float16';

/** How float32 weights are stored; tfjs dequantises them on load from the manifest's `quantization`. */
export type Quantization = 'float16' | 'uint8';

export interface WriteOptions {
  /** One storage for every float32 weight, or a choice per weight (undefined keeps float32). */
  quantize?: Quantization | ((weight: Weight) => Quantization | undefined);
  /** Upper bound on each shard file's size. */
  shardBytes?: number;
  generatedBy?: string;
  /** Weights written to files outside the package that other packages share (the image encoder's). */
  shared?: SharedWeights;
}

/**
 * Weights that several packages hold alike (the image encoder's), kept in files of their own in a
 * folder beside the packages, which each package's model.json names by relative path: a browser then
 * downloads and caches them once for all the packages. Each file is named by its content
 * (`<prefix>-<SHA-256 prefix>.bin`), so equal bytes are one file and different ones never overwrite it.
 */
export interface SharedWeights {
  /** The folder, relative to the package's ("../encoders/centernet-mnv3"), written with "/". */
  folder: string;
  prefix: string;
  /** Whether a weight goes to the shared files. */
  holds: (weight: Weight) => boolean;
}

interface QuantizationSpec {
  dtype: 'float16' | 'uint8' | 'uint16';
  min?: number;
  scale?: number;
  original_dtype?: DType;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: DType;
  quantization?: QuantizationSpec;
}

interface ModelJson {
  format: 'graph-model';
  generatedBy?: string;
  convertedBy?: string;
  signature?: Record<string, unknown>;
  userDefinedMetadata?: Record<string, unknown>;
  modelTopology: { node: GraphNode[]; library?: Record<string, unknown>; versions?: Record<string, unknown> };
  /** sha256: hex digest of each shard in `paths` (our addition, ignored by tfjs), checked by the app's loader. */
  weightsManifest: { paths: string[]; weights: ManifestEntry[]; sha256?: string[] }[];
}

export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;
const SHARD_FILE = /^group1-shard\d+of\d+\.bin$/;
/** Hex digits of the content hash in a shared file's name. */
const SHARED_HASH_LENGTH = 16;

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Encoded weights concatenated and cut into shards of at most shardBytes. */
function shardsOf(encoded: { bytes: Uint8Array }[], shardBytes: number): Uint8Array[] {
  const all = new Uint8Array(encoded.reduce((total, { bytes }) => total + bytes.byteLength, 0));
  let offset = 0;
  for (const { bytes } of encoded) {
    all.set(bytes, offset);
    offset += bytes.byteLength;
  }
  const shardCount = Math.max(1, Math.ceil(all.byteLength / shardBytes));
  return Array.from({ length: shardCount }, (_, i) => all.subarray(i * shardBytes, (i + 1) * shardBytes));
}

function encodeWeight(weight: Weight, quantize: Quantization | undefined): { entry: ManifestEntry; bytes: Uint8Array } {
  const entry: ManifestEntry = { name: weight.name, shape: weight.shape, dtype: weight.dtype };
  if (weight.dtype === 'int32' || !quantize) {
    return { entry, bytes: new Uint8Array(weight.data.buffer, weight.data.byteOffset, weight.data.byteLength) };
  }
  if (quantize === 'float16') {
    entry.quantization = { dtype: 'float16', original_dtype: 'float32' };
    const half = Uint16Array.from(weight.data, toFloat16Bits);
    return { entry, bytes: new Uint8Array(half.buffer) };
  }
  const { min, scale, bytes } = quantizeUint8(weight.data);
  entry.quantization = { dtype: 'uint8', min, scale, original_dtype: 'float32' };
  return { entry, bytes };
}

/** tfjs's uint8 weight quantization: 256 even levels from the tensor's minimum to its maximum. */
export function quantizeUint8(values: Float32Array): { min: number; scale: number; bytes: Uint8Array } {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  if (values.length === 0) min = max = 0;
  // A constant tensor has no range; any positive scale then decodes every value to `min` exactly.
  const scale = (max - min) / 255 || 1;
  return { min, scale, bytes: Uint8Array.from(values, (value) => Math.round((value - min) / scale)) };
}

function checkConstNodesHaveWeights(graph: GraphModelSpec): void {
  const weightNames = new Set<string>();
  for (const weight of graph.weights) {
    if (weightNames.has(weight.name)) throw new Error(`two weights are named "${weight.name}"`);
    weightNames.add(weight.name);
  }
  const missing = graph.nodes.filter((node) => node.op === 'Const' && !weightNames.has(node.name)).map((node) => node.name);
  if (missing.length > 0) throw new Error(`Const nodes without a weight: ${missing.join(', ')}`);
}

/**
 * Writes `dir/model.json` and `dir/group1-shardXofY.bin` (weights concatenated, then cut into shards of
 * at most shardBytes), and the `shared` weights' files first in their own manifest group. Stale shards
 * from an earlier write into the same folder are removed (stale shared files: removeUnusedSharedFiles).
 * Returns the paths written.
 */
export async function writeGraphModel(dir: string, graph: GraphModelSpec, options: WriteOptions = {}): Promise<string[]> {
  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  checkConstNodesHaveWeights(graph);
  const { quantize, shared } = options;
  const storage = typeof quantize === 'function' ? quantize : () => quantize;
  const encode = (weights: Weight[]) => weights.map((weight) => encodeWeight(weight, storage(weight)));
  const sharedEncoded = encode(shared ? graph.weights.filter(shared.holds) : []);
  const encoded = encode(shared ? graph.weights.filter((weight) => !shared.holds(weight)) : graph.weights);
  const shards = shardsOf(encoded, shardBytes);
  const shardNames = shards.map((_, i) => `group1-shard${i + 1}of${shards.length}.bin`);
  const sharedShards = shared && sharedEncoded.length > 0 ? shardsOf(sharedEncoded, shardBytes) : [];
  const sharedPaths = sharedShards.map((shard) => `${shared!.folder}/${shared!.prefix}-${sha256Hex(shard).slice(0, SHARED_HASH_LENGTH)}.bin`);
  const sharedGroup = sharedShards.length > 0 ? [{ paths: sharedPaths, weights: sharedEncoded.map(({ entry }) => entry), sha256: sharedShards.map(sha256Hex) }] : [];
  const modelJson: ModelJson = {
    format: 'graph-model',
    generatedBy: options.generatedBy ?? graph.generatedBy,
    convertedBy: graph.convertedBy ?? 'show-and-tell-browser tools/graph',
    signature: graph.signature,
    userDefinedMetadata: graph.userDefinedMetadata,
    modelTopology: { node: graph.nodes, library: graph.library, versions: graph.versions ?? {} },
    weightsManifest: [...sharedGroup, { paths: shardNames, weights: encoded.map(({ entry }) => entry), sha256: shards.map(sha256Hex) }],
  };

  await mkdir(dir, { recursive: true });
  for (const file of await readdir(dir)) if (SHARD_FILE.test(file)) await rm(path.join(dir, file));
  const written = [path.join(dir, 'model.json')];
  await writeFile(written[0], JSON.stringify(modelJson));
  for (const [i, name] of shardNames.entries()) {
    written.push(path.join(dir, name));
    await writeFile(written[written.length - 1], shards[i]);
  }
  for (const [i, sharedPath] of sharedPaths.entries()) {
    const file = path.join(dir, sharedPath);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, sharedShards[i]);
    written.push(file);
  }
  return written;
}

/** The files outside the package's folder that its model.json names (shared weights), relative to that folder. */
export async function sharedFilesOf(packageDir: string): Promise<string[]> {
  const json = JSON.parse(await readFile(path.join(packageDir, 'model.json'), 'utf8')) as Partial<Pick<ModelJson, 'weightsManifest'>>;
  return (json.weightsManifest ?? []).flatMap((group) => group.paths).filter((file) => file.startsWith('../'));
}

/**
 * Removes the files of `sharedDir` that no package of `modelsDir` (its folders with a model.json) names
 * any more, such as an encoder an earlier export wrote in other precisions. Returns the removed paths.
 */
export async function removeUnusedSharedFiles(modelsDir: string, sharedDir: string): Promise<string[]> {
  const named = new Set<string>();
  for (const entry of await readdir(modelsDir, { withFileTypes: true })) {
    const packageDir = path.join(modelsDir, entry.name);
    if (!entry.isDirectory() || !existsSync(path.join(packageDir, 'model.json'))) continue;
    for (const file of await sharedFilesOf(packageDir)) named.add(path.resolve(packageDir, file));
  }
  const removed: string[] = [];
  for (const name of existsSync(sharedDir) ? await readdir(sharedDir) : []) {
    const file = path.resolve(sharedDir, name);
    if (!name.endsWith('.bin') || named.has(file)) continue;
    await rm(file);
    removed.push(file);
  }
  return removed;
}

function dequantise(quantization: QuantizationSpec, bytes: Uint8Array, count: number): Float32Array {
  if (quantization.dtype === 'float16') return Float32Array.from(new Uint16Array(bytes.buffer, 0, count), fromFloat16Bits);
  const raw = quantization.dtype === 'uint8' ? bytes : new Uint16Array(bytes.buffer, 0, count);
  const { min = 0, scale = 1 } = quantization;
  return Float32Array.from(raw, (q) => q * scale + min);
}

function decodeWeight(entry: ManifestEntry, bytes: Uint8Array): Weight {
  const { name, shape, quantization } = entry;
  const count = shape.reduce((a, b) => a * b, 1);
  const copy = new Uint8Array(bytes); // an aligned copy of its own (Buffer.slice would share memory)
  if (quantization) {
    const values = dequantise(quantization, copy, count);
    return entry.dtype === 'int32'
      ? { name, shape, dtype: 'int32', data: Int32Array.from(values, Math.round) }
      : { name, shape, dtype: 'float32', data: values };
  }
  return entry.dtype === 'int32'
    ? { name, shape, dtype: 'int32', data: new Int32Array(copy.buffer, 0, count) }
    : { name, shape, dtype: 'float32', data: new Float32Array(copy.buffer, 0, count) };
}

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, float16: 2, uint16: 2, uint8: 1 };

/**
 * Reads a graph-model package (any model.json file name, shards beside it) with every weight
 * dequantised to float32/int32, ready to extend with GraphBuilder and write again.
 */
export async function readGraphModel(modelJsonPath: string): Promise<GraphModelSpec> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as ModelJson;
  if (json.format !== 'graph-model') throw new Error(`${modelJsonPath}: format is "${json.format}", expected "graph-model"`);
  const dir = path.dirname(modelJsonPath);
  const weights: Weight[] = [];
  for (const group of json.weightsManifest) {
    const shards = await Promise.all(group.paths.map((shard) => readFile(path.join(dir, shard))));
    const data = Buffer.concat(shards);
    let offset = 0;
    for (const entry of group.weights) {
      const bytesPerValue = BYTES_PER_VALUE[entry.quantization?.dtype ?? entry.dtype];
      if (!bytesPerValue) throw new Error(`${modelJsonPath}: weight "${entry.name}" has unsupported dtype ${entry.dtype}`);
      const size = entry.shape.reduce((a, b) => a * b, 1) * bytesPerValue;
      if (offset + size > data.byteLength) throw new Error(`${modelJsonPath}: shards end inside weight "${entry.name}"`);
      weights.push(decodeWeight(entry, data.subarray(offset, offset + size)));
      offset += size;
    }
  }
  const { node, library, versions } = json.modelTopology;
  const { signature, userDefinedMetadata, generatedBy, convertedBy } = json;
  return { nodes: node, weights, signature, userDefinedMetadata, generatedBy, convertedBy, library, versions };
}
