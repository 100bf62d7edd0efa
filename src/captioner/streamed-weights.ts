import { io } from '@tensorflow/tfjs-core';
import { DamagedPackageFile } from './model';

/**
 * Bytes per chunk of the weight stream. tfjs's stream decoder copies the bytes it holds at every
 * weight, so chunks much smaller than a shard keep that cheap.
 */
const CHUNK_BYTES = 64 * 1024;

/**
 * A graph model's artifacts with its weights handed over as a stream (tfjs's GraphModel.loadStreaming)
 * rather than as weightData. A loaded GraphModel keeps its artifacts for save(): with weightData it
 * would keep the package's weight bytes alive for as long as the model, beside the tensors decoded
 * from them. The stream lets go of each shard once it is read.
 */
export function streamedWeightsArtifacts(modelJson: io.ModelJSON, shards: ArrayBuffer[]): io.ModelArtifacts {
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const { weightData: _handedOverAsAStream, ...artifacts } = io.getModelArtifactsForJSONSync(modelJson, weightSpecs, shards);
  const unread = [...shards];
  let offset = 0;
  return {
    ...artifacts,
    getWeightStream: () =>
      new ReadableStream<ArrayBuffer>({
        pull(controller) {
          const shard = unread[0];
          if (!shard) return controller.close();
          controller.enqueue(shard.slice(offset, offset + CHUNK_BYTES));
          offset += CHUNK_BYTES;
          if (offset >= shard.byteLength) {
            unread.shift();
            offset = 0;
          }
        },
      }),
  };
}

/** model.json as tools/graph writes it: each manifest group may list the SHA-256 of its shards. */
export type CheckedModelJson = Omit<io.ModelJSON, 'weightsManifest'> & { weightsManifest: (io.WeightsManifestConfig[number] & { sha256?: string[] })[] };

function toHex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The last part of a URL (without its query) or a file path, for messages. */
export function fileNameOf(location: string): string {
  const name = location.split(/[?#]/)[0].split(/[\\/]/).pop() || location;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * A truncated or altered shard would load and then caption wrongly without a word, so shards are
 * checked against the digests in model.json; a mismatch is a DamagedPackageFile naming the shard's
 * location (a URL, or a path), which may be a file shared with other packages (the encoder's).
 * crypto.subtle exists only in secure contexts (HTTPS, localhost) and Node; elsewhere, and for
 * packages without digests, the check is skipped.
 */
export async function checkShardDigests(modelJson: CheckedModelJson, shardLocations: string[], shards: ArrayBuffer[]): Promise<void> {
  const expected = modelJson.weightsManifest.flatMap((group) => group.sha256 ?? group.paths.map(() => null));
  if (!globalThis.crypto?.subtle) return;
  await Promise.all(
    shards.map(async (shard, index) => {
      const digest = expected[index];
      if (digest && toHex(await crypto.subtle.digest('SHA-256', shard)) !== digest) {
        const file = shardLocations[index];
        throw new DamagedPackageFile(`${fileNameOf(file)} is damaged (${shard.byteLength} bytes that do not match model.json)`, { file });
      }
    }),
  );
}
