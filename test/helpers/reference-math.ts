/** Plain-JS reference maths that tests compare tfjs graphs against, written independently of any graph code. */

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** x · W for one row x, W row-major with `columns` columns. */
export function rowTimes(x: ArrayLike<number>, matrix: ArrayLike<number>, columns: number): Float32Array {
  const out = new Float32Array(columns);
  for (let r = 0; r < x.length; r++) for (let col = 0; col < columns; col++) out[col] += x[r] * matrix[r * columns + col];
  return out;
}

export function softmax(logits: ArrayLike<number>): Float32Array {
  const max = Math.max(...Array.from(logits));
  const exps = Float32Array.from(logits, (l) => Math.exp(l - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** One TensorFlow BasicLSTMCell step (gates i, j, f, o; forget bias 1) on one row: x [E], c and h [U]. */
export function basicLstmCell(
  kernel: ArrayLike<number>,
  bias: ArrayLike<number>,
  x: ArrayLike<number>,
  c: ArrayLike<number>,
  h: ArrayLike<number>,
): { c: Float32Array; h: Float32Array } {
  const units = c.length;
  const gates = rowTimes([...Array.from(x), ...Array.from(h)], kernel, 4 * units).map((v, k) => v + bias[k]);
  const newC = new Float32Array(units);
  const newH = new Float32Array(units);
  for (let u = 0; u < units; u++) {
    const [i, j, f, o] = [0, 1, 2, 3].map((g) => gates[g * units + u]);
    newC[u] = c[u] * sigmoid(f + 1) + sigmoid(i) * Math.tanh(j);
    newH[u] = sigmoid(o) * Math.tanh(newC[u]);
  }
  return { c: newC, h: newH };
}

export interface ReferenceCaption {
  /** Without the start and end words. */
  wordIds: number[];
  /** exp of the summed log-probabilities of the words, end word included. */
  p: number;
}

/**
 * im2txt's CaptionGenerator.beam_search (caption_generator.py) without length normalisation, one
 * caption at a time: each step extends every partial caption by its beamSize most probable next words
 * (skipping those under 1e-12); those ending in the end word are complete; the beamSize best of each
 * kind are kept. After maxLength - 1 steps, the complete captions (or, if none, the partial ones), best first.
 */
export function referenceBeamSearch<State>(
  initialState: State,
  step: (wordId: number, state: State) => { probabilities: ArrayLike<number>; state: State },
  { startId, endId, beamSize = 3, maxLength = 20 }: { startId: number; endId: number; beamSize?: number; maxLength?: number },
): ReferenceCaption[] {
  interface Beam {
    words: number[];
    logProb: number;
    state: State;
  }
  const best = (beams: Beam[]) => beams.sort((a, b) => b.logProb - a.logProb).slice(0, beamSize);
  let partial: Beam[] = [{ words: [startId], logProb: 0, state: initialState }];
  let complete: Beam[] = [];
  for (let length = 1; length < maxLength && partial.length > 0; length++) {
    const extended: Beam[] = [];
    for (const beam of partial) {
      const { probabilities, state } = step(beam.words[beam.words.length - 1], beam.state);
      const ranked = Array.from(probabilities, (p, word) => ({ p, word })).sort((a, b) => b.p - a.p);
      for (const { p, word } of ranked.slice(0, beamSize)) {
        if (p < 1e-12) continue;
        extended.push({ words: [...beam.words, word], logProb: beam.logProb + Math.log(p), state });
      }
    }
    complete = best([...complete, ...extended.filter((beam) => beam.words[beam.words.length - 1] === endId)]);
    partial = best(extended.filter((beam) => beam.words[beam.words.length - 1] !== endId));
  }
  return (complete.length > 0 ? complete : partial).map((beam) => ({
    wordIds: beam.words.filter((word) => word !== startId && word !== endId),
    p: Math.exp(beam.logProb),
  }));
}
