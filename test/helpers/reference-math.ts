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
