/** The words that start and end every caption in a vocabulary (card.json `words`). */
export interface SentenceWords {
  start: string;
  end: string;
  /**
   * A file of the package listing the words its language writes with a capital letter (German
   * nouns; format.ts parseNounList), for the shown sentence. None: the words are shown as the model says them.
   */
  nouns?: string;
}

export const DEFAULT_WORDS: SentenceWords = { start: '<S>', end: '</S>' };
