import { io } from '@tensorflow/tfjs-core';

/** Called as weight bytes arrive; totalBytes is null when a server sends no Content-Length. */
export type ProgressListener = (loadedBytes: number, totalBytes: number | null) => void;

function fileNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.split('/').pop() || url);
}

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

export async function fetchText(url: string): Promise<string> {
  return (await fetchOk(url)).text();
}

export async function fetchJson(url: string): Promise<unknown> {
  const text = await fetchText(url);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${fileNameOf(url)} is not valid JSON`);
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

function isGraphModelJson(value: unknown): value is io.ModelJSON {
  const json = value as Partial<io.ModelJSON> | null;
  return typeof json === 'object' && json !== null && typeof json.modelTopology === 'object' && Array.isArray(json.weightsManifest);
}

/**
 * Downloads a tfjs graph model (model.json + all shards in parallel) with byte progress, which
 * tf.loadGraphModel's own loader does not report per byte.
 */
export async function fetchGraphModel(packageUrl: string, onProgress: ProgressListener): Promise<io.ModelArtifacts> {
  const modelJson = await fetchJson(new URL('model.json', packageUrl).href);
  if (!isGraphModelJson(modelJson)) throw new Error('model.json is not a tfjs graph model');
  const shardUrls = modelJson.weightsManifest.flatMap((group) => group.paths.map((shard) => new URL(shard, packageUrl).href));
  const responses = await Promise.all(shardUrls.map(fetchOk));
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
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  return io.getModelArtifactsForJSONSync(modelJson, weightSpecs, shards);
}
