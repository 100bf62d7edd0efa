import { describe, expect, it } from 'vitest';
import { ciderD, scoringTokens } from '../../src/eval/metrics';
import { PYTHON, runTrainingPython } from './helpers/training-python';

// The self-critical reward of training/train.py must be the metric `npm run eval` reports.

/** Captions built from a small word pool, so n-grams repeat across images as in real captions. */
function randomCaptions(seed: number, count: number): string[] {
  // German words too: both tokenisers must keep umlauts and ß inside a word.
  const words = ['a', 'dog', 'man', 'runs', 'on', 'the', 'grass', 'beach', 'red', 'ball', "'s", 'is', 'two', 'people', 'männer', 'straße', 'grün'];
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () => {
    const length = 2 + Math.floor(next() * 10);
    return `${Array.from({ length }, () => words[Math.floor(next() * words.length)]).join(' ')} .`;
  });
}

describe.skipIf(!PYTHON)('training/cider.py', () => {
  it('gives the same CIDEr-D as src/eval/metrics.ts', () => {
    const references = Array.from({ length: 12 }, (_, i) => randomCaptions(100 + i, 5));
    const hypotheses = randomCaptions(7, 12);
    const fromPython = runTrainingPython(
      ['from cider import CiderD', 'cider = CiderD(data["references"])', 'print(json.dumps([cider.score(i, h) for i, h in enumerate(data["hypotheses"])]))'],
      { references, hypotheses },
    ) as number[];
    const { perImage } = ciderD({ hypotheses: hypotheses.map(scoringTokens), references: references.map((refs) => refs.map(scoringTokens)) });
    expect(perImage.some((score) => score > 0.5)).toBe(true);
    fromPython.forEach((score, i) => expect(score).toBeCloseTo(perImage[i], 9));
  });
});
