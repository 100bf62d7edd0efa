/** The words that start and end every caption in a vocabulary (card.json `words`). */
export interface SentenceWords {
  start: string;
  end: string;
}

export const DEFAULT_WORDS: SentenceWords = { start: '<S>', end: '</S>' };
