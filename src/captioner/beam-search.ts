/**
 * What the search needs from a model; State is opaque to it (a tensor for the real model), and so are
 * Inputs, what the caller made for this search and the model takes at every step: e.g. a log-prior on
 * the next word (grounding in what a detector saw) that the model adds to its log-probabilities
 * before choosing the top k, or the photo's regions that an attending decoder looks at.
 */
export interface StepModel<State, Inputs = never> {
  /**
   * Runs one step for every partial caption at once (row b of `state` belongs to inputFeed[b]) and
   * returns, per row, its k best next words by log-probability plus the prior (when given):
   * row-major [rows * k], best first. The returned state has one row per input row.
   * `captions[b]` is row b's caption so far (start word first, inputFeed[b] last), for a prior that
   * depends on what a caption has already said (grounding credits each object class once).
   */
  step(inputFeed: Int32Array, state: State, k: number, inputs?: Inputs, captions?: readonly (readonly number[])[]): Promise<StepResult<State>>;
  /** A new state made of the given rows of `state`, in that order (rows may repeat). */
  gatherRows(state: State, rows: Int32Array): State;
  disposeState(state: State): void;
}

export interface StepResult<State> {
  wordIds: Int32Array;
  /** What the search ranks by: the model's log-probability plus the prior, if one was given. */
  logProbs: Float32Array;
  /** The model's own log-probabilities of the same words, when a prior was added to `logProbs`. */
  modelLogProbs?: Float32Array;
  state: State;
  /** Bytes this step copied from the device to the CPU, when the model counts them. */
  readBackBytes?: number;
}

export interface BeamSearchOptions {
  beamSize: number;
  /** Longest caption in words, counting the start and end words (im2txt's max_caption_length). */
  maxLength: number;
  /** Completed captions score logProb / length^factor; 0 ranks by logProb alone. */
  lengthNormalizationFactor: number;
  /**
   * n > 0: a word that would repeat an n-word sequence already in the caption is never chosen
   * (n-gram blocking, Paulus et al. 2017: "a plate of a plate of food" cannot happen with 3); 0: off,
   * as in im2txt.
   */
  noRepeatNgram: number;
}

export const DEFAULT_BEAM_SEARCH_OPTIONS: BeamSearchOptions = { beamSize: 3, maxLength: 20, lengthNormalizationFactor: 0, noRepeatNgram: 0 };

export interface Hypothesis {
  /** Word ids including the start word (and the end word once complete). */
  wordIds: number[];
  /** The model's log-probability of the words (without any prior). */
  logProb: number;
  /** What the search ranks by: logProb plus the prior's log-prior, length-normalised for complete captions. */
  score: number;
}

/** The first word and the end word of captions, and what the model takes at every step. */
export interface SearchInputs<Inputs> {
  startId: number;
  endId: number;
  stepInputs?: Inputs;
  /** Words the search never chooses (e.g. the unknown word, which no reader wants to see). */
  neverIds?: readonly number[];
  /**
   * Words that close a caption (a trained captioner's full stop): a caption that takes one is
   * complete, its end word following as if certain, so nothing more comes after it (not even a
   * second full stop, which self-critical training never paid for).
   */
  closingIds?: readonly number[];
  /** The most the prior adds to one word's log-probability (0 when it only ever penalises). */
  priorCeiling?: number;
}

/** The live beam after a step, for display. Both lists are sorted best first. */
export interface BeamUpdate {
  step: number;
  partial: Hypothesis[];
  complete: Hypothesis[];
  /** What the model's step read back from the device (0 when it does not count). */
  readBackBytes: number;
}

/** Words below this probability are never followed (im2txt's guard against log(0)). */
const MIN_LOG_PROB = Math.log(1e-12);

/** Keeps the `capacity` best hypotheses by score; on a tie the earlier one stays, like im2txt's TopN. */
class TopN<T extends Hypothesis> {
  private items: T[] = [];

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  get isFull(): boolean {
    return this.items.length >= this.capacity;
  }

  /** Lowest score kept. Only meaningful when not empty. */
  get worstScore(): number {
    return this.items[this.items.length - 1].score;
  }

  push(item: T): void {
    if (this.isFull && item.score <= this.worstScore) return;
    let index = this.items.findIndex((kept) => kept.score < item.score);
    if (index === -1) index = this.items.length;
    this.items.splice(index, 0, item);
    if (this.items.length > this.capacity) this.items.pop();
  }

  /** Best first. */
  sorted(): T[] {
    return [...this.items];
  }
}

interface PartialCaption extends Hypothesis {
  /** Row of this caption's LSTM state in the state tensor the step produced. */
  row: number;
  /** logProb plus the prior's log-priors: what partial captions are ranked by. */
  rankLogProb: number;
}

const publicView = ({ wordIds, logProb, score }: Hypothesis): Hypothesis => ({ wordIds, logProb, score });

/** The words that would complete an n-gram already in `wordIds` (none when n is 0). */
function repeatingWords(wordIds: readonly number[], n: number): Set<number> {
  const banned = new Set<number>();
  if (n < 1 || wordIds.length < n) return banned;
  const tail = wordIds.length - (n - 1);
  for (let start = 0; start + n - 1 < wordIds.length; start++) {
    let same = true;
    for (let i = 0; i < n - 1 && same; i++) same = wordIds[start + i] === wordIds[tail + i];
    if (same && start < tail) banned.add(wordIds[start + n - 1]);
  }
  return banned;
}

/**
 * im2txt caption_generator beam search: every step extends each partial caption by its beamSize most
 * probable words; captions that reach the end word (or a closing word) move to the complete list
 * (score normalised by length); the beamSize best partials go on. It stops after maxLength - 1
 * steps, when no partial is left, or as soon as no partial can still outscore the full list of
 * complete captions (which never changes the result). Without any complete caption it returns the partial ones.
 * The caller keeps ownership of initialState; states made during the search are disposed here.
 */
export async function beamSearch<State, Inputs = never>(
  model: StepModel<State, Inputs>,
  initialState: State,
  words: SearchInputs<Inputs>,
  options: Partial<BeamSearchOptions> = {},
  onUpdate?: (update: BeamUpdate) => void,
): Promise<Hypothesis[]> {
  const { beamSize, maxLength, lengthNormalizationFactor, noRepeatNgram } = { ...DEFAULT_BEAM_SEARCH_OPTIONS, ...options };
  if (!Number.isInteger(beamSize) || beamSize < 1) throw new Error(`beamSize must be a positive integer, got ${beamSize}`);
  if (!Number.isInteger(maxLength) || maxLength < 2) throw new Error(`maxLength must be an integer ≥ 2, got ${maxLength}`);
  if (!Number.isInteger(noRepeatNgram) || noRepeatNgram < 0) throw new Error(`noRepeatNgram must be 0 or a positive integer, got ${noRepeatNgram}`);
  const normalise = (logProb: number, length: number): number =>
    lengthNormalizationFactor > 0 ? logProb / length ** lengthNormalizationFactor : logProb;

  let partials: PartialCaption[] = [{ wordIds: [words.startId], logProb: 0, rankLogProb: 0, score: 0, row: 0 }];
  const never = words.neverIds ?? [];
  const closing = new Set(words.closingIds ?? []);
  const ceiling = words.priorCeiling ?? 0;
  if (!(ceiling >= 0)) throw new Error(`priorCeiling must be 0 or more, got ${ceiling}`);
  let state = initialState;
  const complete = new TopN<Hypothesis>(beamSize);
  try {
    for (let step = 1; step < maxLength && partials.length > 0; step++) {
      const feed = Int32Array.from(partials, (partial) => partial.wordIds[partial.wordIds.length - 1]);
      // Each partial still gets its beamSize best words that are allowed: ask for as many more as it bans.
      const banned = partials.map((partial) => {
        const ids = repeatingWords(partial.wordIds, noRepeatNgram);
        for (const id of never) ids.add(id);
        return ids;
      });
      const k = beamSize + Math.max(...banned.map((ids) => ids.size));
      const result = await model.step(feed, state, k, words.stepInputs, partials.map((partial) => partial.wordIds));
      if (state !== initialState) model.disposeState(state);
      const next = new TopN<PartialCaption>(beamSize);
      const perRow = result.wordIds.length / partials.length;
      partials.forEach((partial, row) => {
        let taken = 0;
        for (let j = row * perRow; j < (row + 1) * perRow && taken < beamSize; j++) {
          if (banned[row].has(result.wordIds[j])) continue;
          taken++;
          const wordProb = result.modelLogProbs?.[j] ?? result.logProbs[j];
          if (!(wordProb >= MIN_LOG_PROB)) continue;
          const word = result.wordIds[j];
          // A closing word completes the caption when its end word still fits within maxLength.
          const closes = closing.has(word) && partial.wordIds.length + 2 <= maxLength;
          const wordIds = closes ? [...partial.wordIds, word, words.endId] : [...partial.wordIds, word];
          const logProb = partial.logProb + wordProb;
          const rankLogProb = partial.rankLogProb + result.logProbs[j];
          if (word === words.endId || closes) complete.push({ wordIds, logProb, score: normalise(rankLogProb, wordIds.length) });
          else next.push({ wordIds, logProb, rankLogProb, score: rankLogProb, row });
        }
      });
      partials = next.sorted();
      state = model.gatherRows(result.state, Int32Array.from(partials, (partial) => partial.row));
      model.disposeState(result.state);
      partials = partials.map((partial, row) => ({ ...partial, row }));
      onUpdate?.({ step, partial: partials.map(publicView), complete: complete.sorted(), readBackBytes: result.readBackBytes ?? 0 });
      // A word adds at most priorCeiling to the score (log-probabilities are ≤ 0), so this bounds the
      // best score any continuation of the partial can ever reach, whatever length it ends at.
      const bestReachable = (partial: PartialCaption) => {
        let best = -Infinity;
        for (let length = partial.wordIds.length + 1; length <= maxLength; length++) {
          best = Math.max(best, normalise(partial.rankLogProb + ceiling * (length - partial.wordIds.length), length));
        }
        return best;
      };
      if (complete.isFull && partials.every((partial) => bestReachable(partial) <= complete.worstScore)) break;
    }
  } finally {
    if (state !== initialState) model.disposeState(state);
  }
  return complete.size > 0 ? complete.sorted() : partials.map(publicView);
}
