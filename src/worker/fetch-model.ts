import type { io } from '@tensorflow/tfjs-core';
import { DamagedPackageFile } from '../captioner/model';
import { checkShardDigests, fileNameOf, streamedWeightsArtifacts, type CheckedModelJson } from '../captioner/streamed-weights';

/** Called as weight bytes arrive; totalBytes is null when a server sends no Content-Length. */
export type ProgressListener = (loadedBytes: number, totalBytes: number | null) => void;

/** fetch() that turns network and HTTP failures into messages naming the file. */
export async function fetchOk(url: string): Promise<Response> {
  const fileName = fileNameOf(url);
  let response: Response;
  try {
    response = await fetch(url);
  } catch {
    throw new Error(`could not download ${fileName} (network error)`);
  }
  if (!response.ok) throw new Error(`could not download ${fileName} (HTTP ${response.status})`);
  return response;
}

/** How a file is fetched: straight from the network by default, or through the model store. */
export type FileFetcher = (url: string) => Promise<Response>;

export async function fetchText(url: string, fetchFile: FileFetcher = fetchOk): Promise<string> {
  return (await fetchFile(url)).text();
}

export async function fetchJson(url: string, fetchFile: FileFetcher = fetchOk): Promise<unknown> {
  const text = await fetchText(url, fetchFile);
  try {
    return JSON.parse(text);
  } catch {
    throw new DamagedPackageFile(`${fileNameOf(url)} is not valid JSON`);
  }
}

async function readBody(response: Response, onChunk: (bytes: number) => void): Promise<ArrayBuffer> {
  if (!response.body) {
    const buffer = await response.arrayBuffer();
    onChunk(buffer.byteLength);
    return buffer;
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = response.body.getReader();
  for (let part = await reader.read(); !part.done; part = await reader.read()) {
    chunks.push(part.value);
    length += part.value.byteLength;
    onChunk(part.value.byteLength);
  }
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body.buffer;
}

function isGraphModelJson(value: unknown): value is CheckedModelJson {
  const json = value as Partial<io.ModelJSON> | null;
  return typeof json === 'object' && json !== null && typeof json.modelTopology === 'object' && Array.isArray(json.weightsManifest);
}

/**
 * Downloads a tfjs graph model (model.json + all shards in parallel) with byte progress, which
 * tf.loadGraphModel's own loader does not report per byte.
 */
export async function fetchGraphModel(packageUrl: string, onProgress: ProgressListener, fetchFile: FileFetcher = fetchOk): Promise<io.ModelArtifacts> {
  const modelJson = await fetchJson(new URL('model.json', packageUrl).href, fetchFile);
  if (!isGraphModelJson(modelJson)) throw new DamagedPackageFile('model.json is not a tfjs graph model');
  const shardUrls = modelJson.weightsManifest.flatMap((group) => group.paths.map((shard) => new URL(shard, packageUrl).href));
  const responses = await Promise.all(shardUrls.map(fetchFile));
  const lengths = responses.map((response) => Number(response.headers.get('content-length')));
  const totalBytes = lengths.every((length) => length > 0) ? lengths.reduce((a, b) => a + b, 0) : null;
  let loadedBytes = 0;
  onProgress(loadedBytes, totalBytes);
  const shards = await Promise.all(
    responses.map((response) =>
      readBody(response, (bytes) => {
        loadedBytes += bytes;
        onProgress(loadedBytes, totalBytes);
      }),
    ),
  );
  await checkShardDigests(modelJson, shardUrls, shards);
  return streamedWeightsArtifacts(modelJson, shards);
}
