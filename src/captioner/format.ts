import { DEFAULT_CAPTION_LANGUAGE, primaryLanguage } from './language';

/** The im2txt tutorial's output line: `0) a group of people sitting at tables in a room . (p=0.000306)`. */
export function formatCaptionLine(index: number, caption: { text: string; p: number }): string {
  return `${index}) ${caption.text} (p=${caption.p.toFixed(6)})`;
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
