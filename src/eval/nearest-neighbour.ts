/**
 * The caption-free nearest-neighbour baseline of issue 7 (after Devlin et al., "Exploring nearest
 * neighbor approaches for image captioning", 2015): find the training photos whose features are most
 * similar, and output the one caption among theirs that agrees most with the others.
 */
import { scoringTokens } from './metrics';

/** Feature rows of training photos; a photo may have several rows (e.g. a flipped copy). */
export interface FeatureRows {
  /** Photo file name of each row. */
  files: string[];
  /** files.length × row size, row-major. */
  features: Float32Array;
}

/** Cosine similarity search over training features standardised with their own mean and std. */
export class FeatureIndex {
  private readonly files: string[];
  private readonly mean: Float64Array;
  private readonly std: Float64Array;
  /** Standardised rows scaled to unit length, so a dot product is the cosine. */
  private readonly unitRows: Float32Array;

  constructor(
    readonly featureSize: number,
    parts: FeatureRows[],
  ) {
    this.files = parts.flatMap((part) => part.files);
    const rows = this.files.length;
    if (rows === 0) throw new Error('no training features to search');
    this.mean = new Float64Array(featureSize);
    this.std = new Float64Array(featureSize);
    for (const { features } of parts) for (let i = 0; i < features.length; i++) this.mean[i % featureSize] += features[i];
    this.mean.forEach((sum, d) => (this.mean[d] = sum / rows));
    for (const { features } of parts) {
      for (let i = 0; i < features.length; i++) this.std[i % featureSize] += (features[i] - this.mean[i % featureSize]) ** 2;
    }
    // A constant dimension carries no information; dividing it by 1 keeps it at 0 instead of NaN.
    this.std.forEach((sum, d) => (this.std[d] = Math.sqrt(sum / rows) || 1));
    this.unitRows = new Float32Array(rows * featureSize);
    let row = 0;
    for (const { features } of parts) {
      for (let offset = 0; offset < features.length; offset += featureSize, row++) {
        this.unitRows.set(this.standardisedUnit(features.subarray(offset, offset + featureSize)), row * featureSize);
      }
    }
  }

  /** The k distinct photos most similar to `query`, nearest first; `excludeFile` (the query photo itself) never counts. */
  nearest(query: Float32Array, k: number, excludeFile: string): string[] {
    const size = this.featureSize;
    const unitQuery = this.standardisedUnit(query);
    const bestByFile = new Map<string, number>();
    this.files.forEach((file, row) => {
      if (file === excludeFile) return;
      let similarity = 0;
      for (let d = 0, offset = row * size; d < size; d++) similarity += unitQuery[d] * this.unitRows[offset + d];
      if (similarity > (bestByFile.get(file) ?? -Infinity)) bestByFile.set(file, similarity);
    });
    return [...bestByFile]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([file]) => file);
  }

  private standardisedUnit(row: Float32Array): Float32Array {
    const out = new Float32Array(this.featureSize);
    let norm = 0;
    for (let d = 0; d < this.featureSize; d++) {
      out[d] = (row[d] - this.mean[d]) / this.std[d];
      norm += out[d] * out[d];
    }
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < this.featureSize; d++) out[d] /= norm;
    return out;
  }
}

/** A caption's unigrams and bigrams as a set: saying a word twice adds no agreement. */
function unigramsAndBigrams(caption: string): Set<string> {
  const words = scoringTokens(caption);
  const grams = new Set(words);
  for (let i = 0; i + 1 < words.length; i++) grams.add(`${words[i]} ${words[i + 1]}`);
  return grams;
}

function setCosine(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const gram of a) if (b.has(gram)) shared++;
  return shared / Math.sqrt(a.size * b.size);
}

/**
 * The candidate with the highest mean cosine similarity (unigram + bigram sets) to the other
 * candidates; ties go to the earlier candidate. No IDF weighting: IDF computed within the candidates
 * discounts exactly the words the neighbours agree on (measured on 150 validation photos: CIDEr-D
 * among the candidates as the consensus scored BLEU-4 0.075 / CIDEr-D 0.30, this 0.168 / 0.49).
 */
export function consensusCaption(candidates: string[]): string {
  if (candidates.length === 0) throw new Error('no candidate captions');
  const grams = candidates.map(unigramsAndBigrams);
  const agreement = new Array<number>(candidates.length).fill(0);
  for (let i = 0; i < grams.length; i++) {
    for (let j = i + 1; j < grams.length; j++) {
      const similarity = setCosine(grams[i], grams[j]);
      agreement[i] += similarity;
      agreement[j] += similarity;
    }
  }
  // Every candidate has the same number of others, so the largest sum is the largest mean.
  return candidates[agreement.indexOf(Math.max(...agreement))];
}
