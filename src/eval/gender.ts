/**
 * How captions speak of people's gender (after Burns et al. 2018, "Women also Snowboard"): on photos
 * whose references agree on a gender (at least three of them use a word of it and none a word of the
 * other), is the caption right (only that gender's words), wrong (the other gender's words, alone
 * or not) or neutral (no gendered word)?
 */
import { scoringTokens } from './metrics';

export type Gender = 'female' | 'male';

const GENDER_WORDS: Record<Gender, ReadonlySet<string>> = {
  female: new Set(['woman', 'women', 'girl', 'girls', 'lady', 'ladies', 'she', 'her', 'hers', 'herself', 'mother', 'mom', 'daughter', 'sister', 'bride', 'wife', 'female', 'females', 'actress', 'waitress', 'queen', 'grandmother', 'aunt', 'niece']),
  male: new Set(['man', 'men', 'boy', 'boys', 'guy', 'guys', 'gentleman', 'gentlemen', 'he', 'him', 'his', 'himself', 'father', 'dad', 'son', 'brother', 'groom', 'husband', 'male', 'males', 'actor', 'waiter', 'king', 'grandfather', 'uncle', 'nephew']),
};

/** Which genders a text names. */
export function gendersNamed(text: string): Set<Gender> {
  const words = scoringTokens(text);
  return new Set((['female', 'male'] as const).filter((gender) => words.some((word) => GENDER_WORDS[gender].has(word))));
}

/** The gender the references agree on, or null. */
export function referenceGender(references: string[], minAgreeing = 3): Gender | null {
  const named = references.map(gendersNamed);
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
export function genderAccuracy(captions: string[], references: string[][]): Record<Gender, GenderOutcome> {
  const counts: Record<Gender, GenderOutcome> = {
    female: { photos: 0, right: 0, wrong: 0, neutral: 0 },
    male: { photos: 0, right: 0, wrong: 0, neutral: 0 },
  };
  captions.forEach((caption, i) => {
    const truth = referenceGender(references[i]);
    if (!truth) return;
    const named = gendersNamed(caption);
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
