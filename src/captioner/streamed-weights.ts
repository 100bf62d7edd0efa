import { io } from '@tensorflow/tfjs-core';

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
