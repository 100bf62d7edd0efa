/**
 * Caption metrics as defined by the COCO caption evaluation (pycocoevalcap): corpus BLEU-1..4 with
 * the closest reference length in the brevity penalty, and CIDEr-D (n = 1..4, σ = 6, length
 * penalty, clipping, ×10, document frequencies from the evaluated set's references).
 */

/** Lower-case words without punctuation, as the PTB tokenizer leaves them for scoring. */
export function scoringTokens(caption: string): string[] {
  // German letters too (the English captions have none): "männer" is one word, not "m" and "nner".
  return caption.toLowerCase().match(/[a-z0-9äöüß]+|'[a-z]+/g) ?? [];
}

export interface ScoredSet {
  /** One generated caption per image. */
  hypotheses: string[][];
  /** Reference captions per image (same order). */
  references: string[][][];
}

function ngramCounts(words: string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= words.length; i++) {
    const gram = words.slice(i, i + n).join(' ');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

/** Corpus BLEU-1..4; tiny/small constants as in pycocoevalcap so zero matches give ~0, not NaN. */
export function bleu({ hypotheses, references }: ScoredSet, maxN = 4): number[] {
  const tiny = 1e-15;
  const small = 1e-9;
  const correct = new Array<number>(maxN).fill(0);
  const guessed = new Array<number>(maxN).fill(0);
  let hypothesisLength = 0;
  let referenceLength = 0;
  hypotheses.forEach((hypothesis, i) => {
    const refs = references[i];
    hypothesisLength += hypothesis.length;
    // Closest reference length; ties go to the shorter reference.
    referenceLength += refs
      .map((r) => r.length)
      .reduce((best, len) => {
        const d = Math.abs(len - hypothesis.length);
        const bestD = Math.abs(best - hypothesis.length);
        return d < bestD || (d === bestD && len < best) ? len : best;
      });
    for (let n = 1; n <= maxN; n++) {
      const maxRef = new Map<string, number>();
      for (const ref of refs) for (const [gram, c] of ngramCounts(ref, n)) maxRef.set(gram, Math.max(maxRef.get(gram) ?? 0, c));
      for (const [gram, c] of ngramCounts(hypothesis, n)) correct[n - 1] += Math.min(c, maxRef.get(gram) ?? 0);
      guessed[n - 1] += Math.max(0, hypothesis.length - n + 1);
    }
  });
  const ratio = (hypothesisLength + tiny) / (referenceLength + small);
  const brevity = ratio < 1 ? Math.exp(1 - 1 / ratio) : 1;
  const scores: number[] = [];
  let product = 1;
  for (let n = 1; n <= maxN; n++) {
    product *= (correct[n - 1] + tiny) / (guessed[n - 1] + small);
    scores.push(Math.pow(product, 1 / n) * brevity);
  }
  return scores;
}

interface TfIdf {
  vectors: Map<string, number>[];
  norms: number[];
  /** pycocoevalcap counts the length as the number of bigrams' term frequency; kept for parity. */
  length: number;
}

/** CIDEr-D averaged over images, and the per-image scores. */
export function ciderD({ hypotheses, references }: ScoredSet, sigma = 6, maxN = 4): { score: number; perImage: number[] } {
  const documentFrequency = new Map<string, number>();
  for (const refs of references) {
    const seen = new Set<string>();
    for (const ref of refs) for (let n = 1; n <= maxN; n++) for (const gram of ngramCounts(ref, n).keys()) seen.add(`${n}|${gram}`);
    for (const key of seen) documentFrequency.set(key, (documentFrequency.get(key) ?? 0) + 1);
  }
  const logImages = Math.log(references.length);
  const tfIdf = (words: string[]): TfIdf => {
    const vectors: Map<string, number>[] = [];
    const norms: number[] = [];
    let length = 0;
    for (let n = 1; n <= maxN; n++) {
      const vector = new Map<string, number>();
      let norm = 0;
      for (const [gram, termFrequency] of ngramCounts(words, n)) {
        const df = Math.log(Math.max(1, documentFrequency.get(`${n}|${gram}`) ?? 0));
        const value = termFrequency * (logImages - df);
        vector.set(gram, value);
        norm += value * value;
        if (n === 2) length += termFrequency;
      }
      vectors.push(vector);
      norms.push(Math.sqrt(norm));
    }
    return { vectors, norms, length };
  };
  const similarity = (hyp: TfIdf, ref: TfIdf): number[] => {
    const delta = hyp.length - ref.length;
    return hyp.vectors.map((vector, n) => {
      let value = 0;
      for (const [gram, h] of vector) {
        const r = ref.vectors[n].get(gram) ?? 0;
        value += Math.min(h, r) * r;
      }
      if (hyp.norms[n] !== 0 && ref.norms[n] !== 0) value /= hyp.norms[n] * ref.norms[n];
      return value * Math.exp(-(delta * delta) / (2 * sigma * sigma));
    });
  };
  const perImage = hypotheses.map((hypothesis, i) => {
    const hyp = tfIdf(hypothesis);
    const sums = new Array<number>(maxN).fill(0);
    for (const ref of references[i]) similarity(hyp, tfIdf(ref)).forEach((v, n) => (sums[n] += v));
    const mean = sums.reduce((a, b) => a + b, 0) / maxN;
    return (mean / references[i].length) * 10;
  });
  return { score: perImage.reduce((a, b) => a + b, 0) / perImage.length, perImage };
}

export interface CaptionScores {
  /** BLEU-1..4. */
  bleu: number[];
  ciderD: number;
  perImageCiderD: number[];
}

/** Scores caption texts against reference texts, both tokenised with scoringTokens. */
export function scoreCaptions(hypotheses: string[], references: string[][]): CaptionScores {
  const set = { hypotheses: hypotheses.map(scoringTokens), references: references.map((refs) => refs.map(scoringTokens)) };
  const { score, perImage } = ciderD(set);
  return { bleu: bleu(set), ciderD: score, perImageCiderD: perImage };
}
