import { describe, expect, it } from 'vitest';
import { bleu, ciderD, scoringTokens } from '../../src/eval/metrics';

const set = (hyps: string[], refs: string[][]) => ({
  hypotheses: hyps.map(scoringTokens),
  references: refs.map((r) => r.map(scoringTokens)),
});

describe('scoringTokens', () => {
  it('keeps German letters inside words', () => {
    expect(scoringTokens('Zwei Männer gehen über die Straße.')).toEqual(['zwei', 'männer', 'gehen', 'über', 'die', 'straße']);
  });
});

describe('BLEU (pycocoevalcap definition)', () => {
  it('is 1 for a hypothesis equal to a reference', () => {
    for (const score of bleu(set(['a dog runs on the grass .'], [['a dog runs on the grass', 'a brown dog']]))) expect(score).toBeCloseTo(1, 9);
  });

  it('matches a hand-computed case', () => {
    // Unigrams 5/6 (the×2, cat, on, mat), bigrams 3/5, trigrams 1/4, no 4-gram; equal lengths, no brevity penalty.
    const [b1, b2, b3, b4] = bleu(set(['the cat sat on the mat'], [['the cat is on the mat']]));
    expect(b1).toBeCloseTo(5 / 6, 9);
    expect(b2).toBeCloseTo(Math.sqrt((5 / 6) * (3 / 5)), 9);
    expect(b3).toBeCloseTo(Math.cbrt((5 / 6) * (3 / 5) * (1 / 4)), 9);
    expect(b4).toBeLessThan(1e-3);
  });

  it('applies the brevity penalty with the closest reference length', () => {
    // Hypothesis of 3 words; references of 6 and 9 words: closest is 6, BP = exp(1 - 6/3).
    const [b1] = bleu(set(['the cat sat'], [['the cat sat on the mat', 'the cat sat on the mat by the door']]));
    expect(b1).toBeCloseTo(Math.exp(1 - 2), 9);
  });
});

describe('CIDEr-D (pycocoevalcap definition)', () => {
  it('matches a hand-computed two-image case', () => {
    // df: "a" in both images (idf 0), "dog"/"cat"/"a dog"/"a cat" in one (idf log 2).
    // Image 1: unigram and bigram cosines are 1, no 3/4-grams: mean 0.5 → ×10 = 5. Image 2 shares only "a": 0.
    const { score, perImage } = ciderD(set(['a dog', 'a dog'], [['a dog'], ['a cat']]));
    expect(perImage[0]).toBeCloseTo(5, 9);
    expect(perImage[1]).toBeCloseTo(0, 9);
    expect(score).toBeCloseTo(2.5, 9);
  });

  // Two images with references "a dog" and "a cat": "a" is in both (idf 0); every other n-gram, seen in one
  // image or in none, has idf log 2. Only unigrams can match below, so a score is 10 × (unigram term) / 4.
  const dogAndCat = (dogHypothesis: string) => ciderD(set([dogHypothesis, 'a cat'], [['a dog'], ['a cat']])).perImage[0];

  it('applies the length penalty, exp(-δ²/2σ²) with σ = 6 and δ the difference in bigram counts', () => {
    // "dog" against "a dog": unigram cosine 1 (dog alone carries weight), no bigram; δ = 0 - 1.
    expect(dogAndCat('dog')).toBeCloseTo((10 / 4) * Math.exp(-1 / 72), 9);
  });

  it('clips each n-gram count at the reference count', () => {
    // "dog dog" against "a dog": same length (δ = 0). Hypothesis unigram vector (dog: 2 log 2), reference
    // (dog: log 2): clipped, the dot product is log² 2 and the cosine 1/2 (unclipped it would be 1).
    expect(dogAndCat('dog dog')).toBeCloseTo((10 / 4) * (1 / 2), 9);
  });
});
