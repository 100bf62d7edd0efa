import { describe, expect, it } from 'vitest';
import { consensusCaption, FeatureIndex } from '../../src/eval/nearest-neighbour';

describe('consensusCaption', () => {
  it('picks the candidate with the highest mean unigram+bigram cosine to the others (hand-computed)', () => {
    // Sets: "a dog runs" {a, dog, runs, a dog, dog runs}; "a dog" {a, dog, a dog}; "a cat" {a, cat, a cat}.
    // Cosines: dog runs·dog 3/√15 = 0.775, dog runs·cat 1/√15 = 0.258, dog·cat 1/3.
    // Sums: "a dog runs" 1.033, "a dog" 1.108, "a cat" 0.592.
    expect(consensusCaption(['a dog runs', 'a dog', 'a cat'])).toBe('a dog');
  });

  it('compares scoring tokens (case and punctuation ignored) and returns the candidate as written', () => {
    expect(consensusCaption(['Two men ride horses.', 'A DOG runs on the grass.', 'a dog runs on grass', 'the dog runs'])).toBe('A DOG runs on the grass.');
  });

  it('breaks ties in favour of the earlier (nearer) candidate', () => {
    expect(consensusCaption(['dog a', 'a dog'])).toBe('dog a');
    expect(consensusCaption(['only one'])).toBe('only one');
  });
});

describe('FeatureIndex', () => {
  // Corners of a square, standardised to (±1, ±1).
  const files = ['a', 'b', 'c', 'd'];
  const corners = [
    [0, 0],
    [4, 0],
    [0, 4],
    [4, 4],
  ];

  it('ranks by cosine of standardised features, so rescaling or shifting a dimension changes nothing', () => {
    const index = new FeatureIndex(2, [{ files, features: Float32Array.from(corners.flat()) }]);
    // Query (4, 1.5) standardises to (1, -0.25): cosines b 0.86, d 0.51, a -0.51, c -0.86.
    expect(index.nearest(Float32Array.of(4, 1.5), 4, '')).toEqual(['b', 'd', 'a', 'c']);
    const transform = ([x, y]: number[]) => [x * 1000 + 5000, y * 0.001 - 7];
    const transformed = new FeatureIndex(2, [{ files, features: Float32Array.from(corners.flatMap(transform)) }]);
    expect(transformed.nearest(Float32Array.from(transform([4, 1.5])), 4, '')).toEqual(['b', 'd', 'a', 'c']);
    expect(index.nearest(Float32Array.of(4, 1.5), 2, '')).toEqual(['b', 'd']);
  });

  it('never returns the excluded photo and counts a photo with several rows once', () => {
    const flippedB = { files: ['b'], features: Float32Array.of(4, 0.1) };
    const index = new FeatureIndex(2, [{ files, features: Float32Array.from(corners.flat()) }, flippedB]);
    // The query is b's own row, but b is the photo being evaluated.
    expect(index.nearest(Float32Array.of(4, 0), 4, 'b').sort()).toEqual(['a', 'c', 'd']);
    const unexcluded = index.nearest(Float32Array.of(4, 0), 5, 'x');
    expect(unexcluded[0]).toBe('b');
    expect(unexcluded.sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});
