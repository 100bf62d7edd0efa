import { DEFAULT_CAPTION_LANGUAGE, primaryLanguage } from './language';

/** The im2txt tutorial's output line: `0) a group of people sitting at tables in a room . (p=0.000306)`. */
export function formatCaptionLine(index: number, caption: { text: string; p: number }): string {
  return `${index}) ${caption.text} (p=${caption.p.toFixed(6)})`;
}

/**
 * A package's noun list (card.json `words.nouns`, e.g. nouns.txt): one lower-case word a line, the
 * words its language writes with a capital letter (German nouns). Blank lines are ignored.
 */
export function parseNounList(text: string): ReadonlySet<string> {
  const nouns = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  const malformed = nouns.find((noun) => /\s/.test(noun) || noun !== noun.toLowerCase());
  if (malformed !== undefined) throw new Error(`the noun list must hold one lower-case word a line, not ${JSON.stringify(malformed)}`);
  return new Set(nouns);
}

/**
 * The model's words as shown, for a language that writes its nouns with a capital letter (German):
 * every listed noun and the first word capitalised ("ein hund läuft über die wiese ." → "Ein Hund
 * läuft über die Wiese ."); umlauts stay ("ä" → "Ä"), and no word starts with "ß".
 */
export function capitaliseNouns(words: readonly string[], nouns: ReadonlySet<string>): string[] {
  return words.map((word, index) => (index === 0 || nouns.has(word) ? `${word.charAt(0).toUpperCase()}${word.slice(1)}` : word));
}

/** Words that start with a vowel letter but a consonant sound ("a unicorn", "a one-way street", "a European city"). */
const CONSONANT_SOUND = /^(one|once|uni|use|usu|uti|ute|ure|uro|eu|ewe|ufo|uk)/;
/** Words that start with a silent h ("an hour"). */
const SILENT_H = /^(hour|honest|honou?r|heir)/;

/** Whether the indefinite article before `word` is "an" (by its sound, as far as spelling tells). */
function takesAn(word: string): boolean {
  const lower = word.toLowerCase();
  if (SILENT_H.test(lower)) return true;
  if (CONSONANT_SOUND.test(lower)) return false;
  // Digits said with a vowel sound: "an 8", "an 11", "an 18", "an 80".
  if (/^\d/.test(lower)) return /^(8|11(\D|$)|18(\D|$))/.test(lower);
  return /^[aeiou]/.test(lower);
}

/** "a" / "an" as the next word's sound asks ("an elephant", "a unicorn"), whatever the model said. */
const fixEnglishArticles = (sentence: string) =>
  sentence.replace(/\b(an?)(\s+)([\w'-]+)/gi, (_match, article: string, space: string, word: string) => {
    const right = takesAn(word) ? 'an' : 'a';
    return `${article[0] === 'A' ? right[0].toUpperCase() + right.slice(1) : right}${space}${word}`;
  });

/**
 * The model's tokens ("a dog on a couch .") as a sentence for alt text, copy, export and metadata
 * ("A dog on a couch."): capital first letter, no space before punctuation, one full stop, and in
 * English "a" / "an" as the next word's sound asks (German's "an" is a preposition, left alone).
 */
export function toAltText(captionText: string, language: string = DEFAULT_CAPTION_LANGUAGE): string {
  const joined = captionText
    .trim()
    .replace(/\s+([.,!?;:'])/g, '$1')
    .replace(/[.\s]+$/, '');
  const sentence = primaryLanguage(language) === 'en' ? fixEnglishArticles(joined) : joined;
  return sentence ? `${sentence[0].toLocaleUpperCase(language)}${sentence.slice(1)}.` : '';
}
