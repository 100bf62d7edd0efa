import { DEFAULT_WORDS, type SentenceWords } from './sentence-words';

const LINE = /^(\S+) (\d+)$/;

/**
 * The word list of a model (word_counts.txt: `word count` per line, id = 0-based line number).
 * Words not in the file share one extra id, the number of lines, as in im2txt.
 */
export class Vocabulary {
  readonly startId: number;
  readonly endId: number;
  readonly unknownId: number;
  private readonly ids: Map<string, number>;

  private constructor(
    readonly words: readonly string[],
    sentenceWords: SentenceWords,
  ) {
    this.ids = new Map(words.map((word, id) => [word, id]));
    this.unknownId = words.length;
    this.startId = this.requireId(sentenceWords.start, 'start');
    this.endId = this.requireId(sentenceWords.end, 'end');
  }

  /** Parses word_counts.txt text; throws with the line number of the first malformed line. */
  static parse(text: string, sentenceWords: SentenceWords = DEFAULT_WORDS): Vocabulary {
    const lines = text.split(/\r?\n/);
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    if (lines.length === 0) throw new Error('word_counts.txt is empty');
    const seen = new Set<string>();
    const words = lines.map((line, index) => {
      const match = LINE.exec(line);
      if (!match) throw new Error(`word_counts.txt line ${index + 1}: expected "word count", got ${JSON.stringify(line)}`);
      if (seen.has(match[1])) throw new Error(`word_counts.txt line ${index + 1}: "${match[1]}" is listed twice`);
      seen.add(match[1]);
      return match[1];
    });
    return new Vocabulary(words, sentenceWords);
  }

  /** Softmax columns the model must have: every listed word plus the unknown word. */
  get size(): number {
    return this.words.length + 1;
  }

  id(word: string): number {
    return this.ids.get(word) ?? this.unknownId;
  }

  word(id: number): string {
    if (id === this.unknownId) return '<UNK>';
    const word = this.words[id];
    if (word === undefined) throw new Error(`word id ${id} is outside the vocabulary (size ${this.size})`);
    return word;
  }

  /** The caption's words without the start and end markers. */
  captionWords(ids: readonly number[]): string[] {
    return ids.filter((id) => id !== this.startId && id !== this.endId).map((id) => this.word(id));
  }

  private requireId(word: string, role: string): number {
    const id = this.ids.get(word);
    if (id === undefined) throw new Error(`word_counts.txt has no ${role} word "${word}"`);
    return id;
  }
}
