import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import type { io } from '@tensorflow/tfjs-core';
import { fileURLToPath } from 'node:url';
import { checkShardDigests, streamedWeightsArtifacts, type CheckedModelJson } from '../captioner/streamed-weights';
import type { NodeBackend } from './backend-name';
import { isTypeScriptSource } from './module-thread';

const require = createRequire(import.meta.url);

/** tfjs's WebAssembly files: in node_modules for the repository, next to the code in the npm package (which bundles tfjs). */
const WASM_DIR = isTypeScriptSource(import.meta.url)
  ? path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep
  : fileURLToPath(new URL('./wasm/', import.meta.url));

export type { NodeBackend } from './backend-name';

/** Starts tfjs in Node on the wasm backend (SIMD), or cpu when asked or when wasm cannot start. */
export async function initNodeBackend(preferred: NodeBackend = 'wasm'): Promise<NodeBackend> {
  if (preferred === 'wasm') {
    setWasmPaths(WASM_DIR);
    if (await tf.setBackend('wasm').catch(() => false)) {
      await tf.ready();
      return 'wasm';
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}

/** A tfjs IOHandler that reads a graph model (model.json + shards) from a local directory. */
export function fileModelHandler(modelJsonPath: string): io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as CheckedModelJson;
      const dir = path.dirname(modelJsonPath);
      // Paths may lead out of the package's folder, to files it shares with others (the encoder's).
      const shardPaths = json.weightsManifest.flatMap((group) => group.paths).map((shard) => path.join(dir, shard));
      const shards = await Promise.all(
        shardPaths.map(async (shardPath) => {
          const bytes = await readFile(shardPath);
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        }),
      );
      await checkShardDigests(json, shardPaths, shards);
      return streamedWeightsArtifacts(json, shards);
    },
  };
}
