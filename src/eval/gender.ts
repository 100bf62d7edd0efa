/**
 * How captions speak of people's gender (after Burns et al. 2018, "Women also Snowboard"): on photos
 * whose references agree on a gender (at least three of them use a word of it and none a word of the
 * other), is the caption right (only that gender's words), wrong (the other gender's words, alone
 * or not) or neutral (no gendered word)?
 */
import germanNounGenders from './german-noun-genders.json';
import { scoringTokens } from './metrics';

export type Gender = 'female' | 'male';

const ENGLISH_GENDER_WORDS: Record<Gender, ReadonlySet<string>> = {
  female: new Set(['woman', 'women', 'girl', 'girls', 'lady', 'ladies', 'she', 'her', 'hers', 'herself', 'mother', 'mom', 'daughter', 'sister', 'bride', 'wife', 'female', 'females', 'actress', 'waitress', 'queen', 'grandmother', 'aunt', 'niece']),
  male: new Set(['man', 'men', 'boy', 'boys', 'guy', 'guys', 'gentleman', 'gentlemen', 'he', 'him', 'his', 'himself', 'father', 'dad', 'son', 'brother', 'groom', 'husband', 'male', 'males', 'actor', 'waiter', 'king', 'grandfather', 'uncle', 'nephew']),
};

/**
 * German gendered person nouns. Pronouns are left out: German ones follow the noun's grammatical
 * gender ("die Person … ihre Hand"), not the person's. Masculine forms used for everyone ("Spieler")
 * are left out too; the feminine ones of that kind end in -in / -innen ("Spielerin", "Asiatinnen").
 */
const GERMAN_GENDER_WORDS: Record<Gender, ReadonlySet<string>> = {
  female: new Set(['frau', 'frauen', 'mädchen', 'dame', 'damen', 'mutter', 'mütter', 'tochter', 'töchter', 'schwester', 'schwestern', 'braut', 'ehefrau', 'oma', 'großmutter', 'tante', 'tanten', 'königin', 'mama', 'frauchen', 'nonne', 'nonnen', 'weiblich', 'weibliche', 'weiblichen']),
  male: new Set(['mann', 'männer', 'männern', 'mannes', 'jungs', 'herr', 'herren', 'herrn', 'vater', 'väter', 'sohn', 'söhne', 'bruder', 'brüder', 'bräutigam', 'ehemann', 'opa', 'großvater', 'onkel', 'könig', 'papa', 'herrchen', 'kerl', 'kerle', 'mönch', 'mönche', 'männlich', 'männliche', 'männlichen']),
};
/** Feminine person nouns made with -in: "Spielerin", "Läuferinnen", "Asiatin"; the other words that end so are listed. */
const GERMAN_FEMININE_ENDING = /[^e](in|innen)$/;
const NOT_FEMININE_FORMS = new Set(['darin', 'worin', 'trampolin', 'kamin', 'kamine', 'bassin', 'termin', 'vitamin', 'benzin', 'delfin', 'medizin', 'ruin', 'satin', 'magazin', 'pinguin', 'drinnen', 'rosmarin', 'mandolin', 'berlin']);
/** "junge" / "jungen" is the noun (a boy) unless a noun follows: then it is the adjective ("eine junge Person"). */
const GERMAN_BOY = new Set(['junge', 'jungen']);
const GERMAN_NOUNS = new Set(Object.keys(germanNounGenders));

function germanGenderOf(words: string[], index: number): Gender | null {
  const word = words[index];
  if (GERMAN_GENDER_WORDS.female.has(word)) return 'female';
  if (GERMAN_GENDER_WORDS.male.has(word)) return 'male';
  if (GERMAN_BOY.has(word)) return GERMAN_NOUNS.has(words[index + 1] ?? '') && !GERMAN_BOY.has(words[index + 1] ?? '') ? null : 'male';
  if (word.length > 5 && GERMAN_FEMININE_ENDING.test(word) && !NOT_FEMININE_FORMS.has(word)) return 'female';
  return null;
}

const primary = (language: string) => language.split('-')[0].toLowerCase();

/** Which genders a text names (`language`: the captions' BCP 47 tag; English and German are known). */
export function gendersNamed(text: string, language = 'en'): Set<Gender> {
  const words = scoringTokens(text);
  if (primary(language) === 'de') return new Set(words.map((_, index) => germanGenderOf(words, index)).filter((gender) => gender !== null));
  return new Set((['female', 'male'] as const).filter((gender) => words.some((word) => ENGLISH_GENDER_WORDS[gender].has(word))));
}

/** How many captions name a gender at all (a model trained on neutral person words should name none). */
export function captionsNamingAGender(captions: string[], language = 'en'): number {
  return captions.filter((caption) => gendersNamed(caption, language).size > 0).length;
}

/** The gender the references agree on, or null. */
export function referenceGender(references: string[], minAgreeing = 3, language = 'en'): Gender | null {
  const named = references.map((reference) => gendersNamed(reference, language));
  for (const gender of ['female', 'male'] as const) {
    const other: Gender = gender === 'female' ? 'male' : 'female';
    if (named.filter((genders) => genders.has(gender)).length >= minAgreeing && !named.some((genders) => genders.has(other))) return gender;
  }
  return null;
}

export interface GenderOutcome {
  photos: number;
  right: number;
  wrong: number;
  neutral: number;
}

/** Per gender the references agree on: shares of captions right, wrong and neutral. */
export function genderAccuracy(captions: string[], references: string[][], language = 'en'): Record<Gender, GenderOutcome> {
  const counts: Record<Gender, GenderOutcome> = {
    female: { photos: 0, right: 0, wrong: 0, neutral: 0 },
    male: { photos: 0, right: 0, wrong: 0, neutral: 0 },
  };
  captions.forEach((caption, i) => {
    const truth = referenceGender(references[i], 3, language);
    if (!truth) return;
    const named = gendersNamed(caption, language);
    const outcome = counts[truth];
    outcome.photos++;
    if (named.size === 0) outcome.neutral++;
    else if (named.has(truth === 'female' ? 'male' : 'female')) outcome.wrong++;
    else outcome.right++;
  });
  for (const outcome of Object.values(counts)) {
    if (outcome.photos === 0) continue;
    outcome.right /= outcome.photos;
    outcome.wrong /= outcome.photos;
    outcome.neutral /= outcome.photos;
  }
  return counts;
}
