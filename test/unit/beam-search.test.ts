import { describe, expect, it } from 'vitest';
import { beamSearch, type BeamUpdate, type StepModel, type StepResult } from '../../src/captioner/beam-search';

const WORDS = ['S', 'E', 'a', 'b', 'c', 'd'];
const START = 0;
const END = 1;
const id = (word: string) => WORDS.indexOf(word);

/** Next-word probabilities keyed by the sentence so far; other prefixes continue with c or d, never ending. */
type Table = Record<string, Record<string, number>>;
const NEVER_ENDING = { c: 0.4, d: 0.4 };

/** A log-prior per next word, the same after every word. */
type WordPrior = Record<string, number>;

/** A plain-JS model whose state rows are the words consumed so far; it tracks live states to catch leaks. */
class FakeModel implements StepModel<string[], WordPrior> {
  steps = 0;
  readonly live = new Set<string[]>();

  constructor(private readonly table: Table) {}

  /** As after feeding the image: nothing consumed yet. */
  initialState(): string[] {
    return this.track(['']);
  }

  async step(inputFeed: Int32Array, state: string[], k: number, prior?: WordPrior): Promise<StepResult<string[]>> {
    expect(this.live.has(state)).toBe(true);
    this.steps++;
    const consumed = state.map((prefix, row) => `${prefix} ${WORDS[inputFeed[row]]}`.trim());
    const wordIds: number[] = [];
    const logProbs: number[] = [];
    const modelLogProbs: number[] = [];
    const withPrior = (word: string, p: number) => Math.log(p) + (prior?.[word] ?? 0);
    for (const prefix of consumed) {
      const ranked = Object.entries(this.table[prefix] ?? NEVER_ENDING).sort((x, y) => withPrior(...y) - withPrior(...x));
      for (let j = 0; j < k; j++) {
        // Missing words have probability 0, which the search must skip rather than take log(0) of.
        const [word, p] = ranked[j] ?? ['S', 0];
        wordIds.push(id(word));
        logProbs.push(withPrior(word, p));
        modelLogProbs.push(Math.log(p));
      }
    }
    const result = { wordIds: Int32Array.from(wordIds), logProbs: Float32Array.from(logProbs), state: this.track(consumed) };
    return prior ? { ...result, modelLogProbs: Float32Array.from(modelLogProbs) } : result;
  }

  gatherRows(state: string[], rows: Int32Array): string[] {
    return this.track(Array.from(rows, (row) => state[row]));
  }

  disposeState(state: string[]): void {
    expect(this.live.delete(state)).toBe(true);
  }

  private track(state: string[]): string[] {
    this.live.add(state);
    return state;
  }
}

interface SearchWords {
  prior?: { words: WordPrior; ceiling: number };
  never?: string[];
  closing?: string[];
}

async function search(table: Table, options: Parameters<typeof beamSearch>[3], updates: BeamUpdate[] = [], { prior, never, closing }: SearchWords = {}) {
  const model = new FakeModel(table);
  const initial = model.initialState();
  const inputs = { startId: START, endId: END, stepInputs: prior?.words, priorCeiling: prior?.ceiling, neverIds: never?.map(id), closingIds: closing?.map(id) };
  const found = await beamSearch(model, initial, inputs, options, (update) => updates.push(update));
  expect([...model.live]).toEqual([initial]); // every state the search made was disposed
  const readable = found.map(({ wordIds, logProb, score }) => ({ words: wordIds.map((w) => WORDS[w]).join(' '), logProb, score }));
  return { found: readable, steps: model.steps };
}

/** "a" (p .3) beats "b c" (p .28) on log-probability; per word, "b c" wins. */
const LENGTH_MATTERS: Table = {
  S: { a: 0.6, b: 0.4 },
  'S a': { E: 0.5, c: 0.3, b: 0.2 },
  'S b': { c: 0.7, E: 0.3 },
  'S a c': { E: 1 },
  'S b c': { E: 1 },
};

describe('beamSearch', () => {
  it('ranks complete captions by log-probability (hand-computed)', async () => {
    const updates: BeamUpdate[] = [];
    const { found } = await search(LENGTH_MATTERS, { beamSize: 2 }, updates);
    // Step 2 completes "S a E" (.6*.5) and "S b E" (.4*.3); step 3 completes "S b c E" (.4*.7), which
    // displaces "S b E", and "S a c E" (.6*.3*1 = .18), which does not make the top 2.
    expect(found.map((c) => c.words)).toEqual(['S a E', 'S b c E']);
    expect(found[0].logProb).toBeCloseTo(Math.log(0.3), 6);
    expect(found[1].logProb).toBeCloseTo(Math.log(0.28), 6);
    expect(found[0].score).toBe(found[0].logProb);

    // The live beam after every step.
    expect(updates.map((u) => u.step)).toEqual([1, 2, 3]);
    const words = (list: { wordIds: number[] }[]) => list.map((h) => h.wordIds.map((w) => WORDS[w]).join(' '));
    expect(words(updates[0].partial)).toEqual(['S a', 'S b']);
    expect(words(updates[1].partial)).toEqual(['S b c', 'S a c']);
    expect(words(updates[1].complete)).toEqual(['S a E', 'S b E']);
    expect(updates[2].partial).toEqual([]);
  });

  it('length normalisation changes the winner (hand-computed)', async () => {
    const { found } = await search(LENGTH_MATTERS, { beamSize: 2, lengthNormalizationFactor: 1 });
    // Scores divide by the length with S and E: ln(.28)/4 = -0.318 beats ln(.3)/3 = -0.401.
    expect(found.map((c) => c.words)).toEqual(['S b c E', 'S a E']);
    expect(found[0].score).toBeCloseTo(Math.log(0.28) / 4, 6);
    expect(found[1].score).toBeCloseTo(Math.log(0.3) / 3, 6);
    expect(found[0].logProb).toBeCloseTo(Math.log(0.28), 6);
  });

  it('stops once no partial caption can beat the complete ones', async () => {
    const table: Table = { S: { a: 0.9, b: 0.1 }, 'S a': { E: 0.8, c: 0.2 }, 'S b': { E: 0.9, c: 0.1 } };
    const { found, steps } = await search(table, { beamSize: 2, maxLength: 20 });
    // After step 3 the best partial, "S a c c" (.9*.2*.4 = .072), is below the worse complete one,
    // "S b E" (.09), and probabilities only shrink: the search ends there instead of running 19 steps.
    expect(steps).toBe(3);
    expect(found.map((c) => c.words)).toEqual(['S a E', 'S b E']);
  });

  it('keeps going under length normalisation while a longer caption could still win', async () => {
    const table: Table = { S: { a: 0.9, b: 0.1 }, 'S a': { E: 0.8, c: 0.2 }, 'S b': { E: 0.9, c: 0.1 } };
    const { steps } = await search(table, { beamSize: 2, maxLength: 6, lengthNormalizationFactor: 2 });
    expect(steps).toBe(5); // maxLength - 1: a partial's ln(p)/6² stays above ln(.09)/3²
  });

  it('falls back to the partial captions when none completes', async () => {
    const { found } = await search({ S: { a: 0.6, b: 0.4 } }, { beamSize: 2, maxLength: 3 });
    // maxLength 3 allows S plus two words; the tie "S a c" / "S a d" keeps both (.6*.4 each).
    expect(found.map((c) => c.words)).toEqual(['S a c', 'S a d']);
    expect(found[0].logProb).toBeCloseTo(Math.log(0.24), 6);
  });

  it('with beam size 1 is greedy decoding', async () => {
    const { found } = await search(LENGTH_MATTERS, { beamSize: 1 });
    expect(found.map((c) => c.words)).toEqual(['S a E']);
  });

  it("ranks by log-probability plus the prior, and reports the model's own log-probability", async () => {
    // Halving "c": "S b c E" scores .28 × .5 = .14, still above "S b E" (.12), below "S a E" (.3).
    const { found } = await search(LENGTH_MATTERS, { beamSize: 2 }, [], { prior: { words: { c: Math.log(0.5) }, ceiling: 0 } });
    expect(found.map((c) => c.words)).toEqual(['S a E', 'S b c E']);
    expect(found[1].logProb).toBeCloseTo(Math.log(0.28), 6);
    expect(found[1].score).toBeCloseTo(Math.log(0.14), 6);
    // Penalising "a" by ln(.25): "S a E" (.075) drops below "S b E" (.12).
    const penalised = await search(LENGTH_MATTERS, { beamSize: 2 }, [], { prior: { words: { a: Math.log(0.25) }, ceiling: 0 } });
    expect(penalised.found.map((c) => c.words)).toEqual(['S b c E', 'S b E']);
  });

  it('does not stop early while a prior that can add to the score could still lift a partial caption', async () => {
    const table: Table = { S: { a: 0.9, b: 0.1 }, 'S a': { E: 0.8, c: 0.2 }, 'S b': { E: 0.9, c: 0.1 }, 'S a c': { c: 1 }, 'S a c c': { E: 1 } };
    // Without the prior the search stops after 3 steps (see above). Each "c" gains ln 4 here: "S a c c E"
    // scores .9 × .2 × 4 × 4 = 2.88 and wins, which only a search that keeps going finds.
    const { found, steps } = await search(table, { beamSize: 2, maxLength: 20 }, [], { prior: { words: { c: Math.log(4) }, ceiling: Math.log(4) } });
    expect(found[0].words).toBe('S a c c E');
    expect(found[0].logProb).toBeCloseTo(Math.log(0.9 * 0.2), 6);
    expect(steps).toBeGreaterThan(3);
  });

  it('with n-gram blocking never repeats n words, and still extends each caption by its best allowed words', async () => {
    // Greedy, the model says "S a b a b a E"; each blocking size cuts it where it would first repeat.
    const table: Table = {
      S: { a: 0.9, b: 0.1 },
      'S a': { b: 0.9, E: 0.1 },
      'S a b': { a: 0.8, c: 0.15, E: 0.05 },
      'S a b a': { b: 0.9, E: 0.1 },
      'S a b a b': { a: 0.6, E: 0.4 },
      'S a b a b a': { E: 1 },
      'S a b c': { E: 1 },
    };
    const words = async (noRepeatNgram: number) => (await search(table, { beamSize: 1, noRepeatNgram })).found[0];
    expect((await words(0)).words).toBe('S a b a b a E');
    // 3: after "a b", "a" would repeat "a b a".
    expect((await words(3)).words).toBe('S a b a b E');
    expect((await words(3)).logProb).toBeCloseTo(Math.log(0.9 * 0.9 * 0.8 * 0.9 * 0.4), 6);
    // 2: after "a", "b" would repeat "a b".
    expect((await words(2)).words).toBe('S a b a E');
    // 1: after "S a b", "a" is taken already and "c" is the best word left (the model was asked for more).
    expect((await words(1)).words).toBe('S a b c E');
    expect((await words(1)).logProb).toBeCloseTo(Math.log(0.9 * 0.9 * 0.15), 6);
  });

  it('never chooses the words it is told never to say', async () => {
    // "S a E" (.3) would win; without "a", "S b c E" (.28) and "S b E" (.12) are left.
    const { found } = await search(LENGTH_MATTERS, { beamSize: 2 }, [], { never: ['a'] });
    expect(found.map((c) => c.words)).toEqual(['S b c E', 'S b E']);
  });

  it('ends a caption at a closing word, taking its end word as certain', async () => {
    // Here "d" plays the full stop: the model would rather say it twice ("S a d d E", .36) than end.
    const table: Table = {
      S: { a: 0.9, b: 0.1 },
      'S a': { d: 0.8, E: 0.2 },
      'S a d': { d: 0.6, E: 0.4 },
      'S a d d': { E: 1 },
      'S b': { E: 1 },
    };
    const open = await search(table, { beamSize: 2 });
    expect(open.found.map((c) => c.words)).toEqual(['S a d d E', 'S a d E']);
    const closed = await search(table, { beamSize: 2 }, [], { closing: ['d'] });
    expect(closed.found.map((c) => c.words)).toEqual(['S a d E', 'S a E']);
    expect(closed.found[0].logProb).toBeCloseTo(Math.log(0.9 * 0.8), 6);
    // A closing word whose end word would not fit within maxLength does not close the caption.
    const short = await search(table, { beamSize: 1, maxLength: 3 }, [], { closing: ['d'] });
    expect(short.found.map((c) => c.words)).toEqual(['S a d']);
  });

  it('rejects invalid options', async () => {
    await expect(search(LENGTH_MATTERS, { beamSize: 0 })).rejects.toThrow('beamSize must be a positive integer');
    await expect(search(LENGTH_MATTERS, { maxLength: 1 })).rejects.toThrow('maxLength must be an integer ≥ 2');
    await expect(search(LENGTH_MATTERS, { noRepeatNgram: -1 })).rejects.toThrow('noRepeatNgram must be 0 or a positive integer');
  });
});
