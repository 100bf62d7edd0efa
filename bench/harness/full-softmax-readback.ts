import * as tf from '@tensorflow/tfjs-core';
import type { StepModel, StepResult } from '../../src/captioner/beam-search';
import type { ShowAndTellModel, StepInputs } from '../../src/captioner/model';

/** Indices of the k largest values of row `row` of a row-major [rows, columns] array, best first. */
function topKOfRow(values: Float32Array, row: number, columns: number, k: number): number[] {
  const best: number[] = [];
  for (let column = 0; column < columns; column++) {
    const value = values[row * columns + column];
    if (best.length === k && value <= values[row * columns + best[k - 1]]) continue;
    let at = best.findIndex((kept) => values[row * columns + kept] < value);
    if (at === -1) at = best.length;
    best.splice(at, 0, column);
    if (best.length > k) best.pop();
  }
  return best;
}

/**
 * Bench only: the decoder step without device-side top-k. The whole softmax [rows, V] is read back
 * and ranked on the CPU, to measure what ShowAndTellModel.step's device-side top-k saves.
 */
export class FullSoftmaxReadback implements StepModel<tf.Tensor2D, StepInputs> {
  constructor(private readonly model: ShowAndTellModel) {}

  async step(inputFeed: Int32Array, stateFeed: tf.Tensor2D, k: number, inputs: StepInputs = {}): Promise<StepResult<tf.Tensor2D>> {
    // tidy frees the feed tensor that run() makes; the two outputs are kept.
    const [softmax, state] = tf.tidy(() => this.model.run(inputFeed, stateFeed, inputs.regions)) as [tf.Tensor2D, tf.Tensor2D];
    let probabilities: Float32Array;
    try {
      probabilities = (await softmax.data()) as Float32Array;
    } catch (error) {
      state.dispose();
      throw error;
    } finally {
      softmax.dispose();
    }
    const [rows, columns] = softmax.shape;
    const topK = Math.min(k, columns);
    const wordIds = new Int32Array(rows * topK);
    const logProbs = new Float32Array(rows * topK);
    for (let row = 0; row < rows; row++) {
      topKOfRow(probabilities, row, columns, topK).forEach((column, rank) => {
        wordIds[row * topK + rank] = column;
        logProbs[row * topK + rank] = Math.log(probabilities[row * columns + column]);
      });
    }
    return { wordIds, logProbs, state, readBackBytes: probabilities.byteLength };
  }

  gatherRows(state: tf.Tensor2D, rows: Int32Array): tf.Tensor2D {
    return this.model.gatherRows(state, rows);
  }

  disposeState(state: tf.Tensor2D): void {
    state.dispose();
  }
}
