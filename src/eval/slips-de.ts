/**
 * Grammar slips in a German caption, following the English measure (./slips.ts); training/slips_de.py
 * has the same definition, for the German self-critical reward, and a unit test keeps the two equal:
 * - agreement: a determiner, the adjectives after it and their noun that no gender, number and case fit
 *   together ("eine junger Person", "ein großes Hund", "die kleine Kinder"); the nouns' genders are
 *   ./german-noun-genders.json, which training/prepare_de.py counts from the determiners seen before each noun;
 * - a coordinated subject with a singular verb ("eine Person und ein Hund sitzt");
 * - a relative clause opened with "dass" instead of the pronoun ("ein Kind , dass spielt"): a noun, a comma,
 *   "dass" (not after the few nouns a dass-clause completes: "die Tatsache , dass");
 * - a phrase repeated: three words with a content word in them said twice, or the same noun twice after a
 *   determiner as the head of its phrase ("ein Tisch mit einem Tisch");
 * - a doubled word, next to itself or across "und" ("weiß und weiß");
 * - an ending on a word that cannot end a sentence ("... sitzt auf einem"; not a preposition that is also
 *   a separable verb particle: "sieht ihnen zu");
 * - a full stop before the end.
 */
import nounGendersJson from './german-noun-genders.json';
import { hasRepeatedPhrase } from './slips';

export type GermanSlipKind = 'agreement' | 'und-ist' | 'relative-dass' | 'repeated-phrase' | 'doubled-word' | 'dangling-end' | 'inner-stop';
export const GERMAN_SLIP_KINDS: readonly GermanSlipKind[] = ['agreement', 'und-ist', 'relative-dass', 'repeated-phrase', 'doubled-word', 'dangling-end', 'inner-stop'];

/** "p" is the plural, which declines like a gender of its own. */
type Gender = 'm' | 'f' | 'n' | 'p';
type Case = 0 | 1 | 2 | 3; // nominative, accusative, dative, genitive
type Kind = 'definite' | 'ein' | 'der' | 'none';
type Reading = [Gender, Case];

/** Noun -> its genders: "m", or "mp" for a form that is singular and plural alike ("felsen"). */
const NOUN_GENDERS = new Map(Object.entries(nounGendersJson as Record<string, string>));
const GENDERS: Gender[] = ['m', 'f', 'n', 'p'];
const CASES: Case[] = [0, 1, 2, 3];
const DEFINITE: Record<Gender, string[]> = { m: ['der', 'den', 'dem', 'des'], f: ['die', 'die', 'der', 'der'], n: ['das', 'das', 'dem', 'des'], p: ['die', 'die', 'den', 'der'] };
const EIN_ENDINGS: Record<Gender, string[]> = { m: ['', 'en', 'em', 'es'], f: ['e', 'e', 'er', 'er'], n: ['', '', 'em', 'es'], p: ['e', 'e', 'en', 'er'] };
const DER_ENDINGS: Record<Gender, string[]> = { m: ['er', 'en', 'em', 'es'], f: ['e', 'e', 'er', 'er'], n: ['es', 'es', 'em', 'es'], p: ['e', 'e', 'en', 'er'] };
const EIN_STEMS = ['ein', 'kein', 'mein', 'dein', 'sein', 'ihr', 'unser', 'euer'];
const DER_STEMS = ['dies', 'jen', 'jed', 'welch', 'manch', 'solch'];
const WEAK: Record<Gender, string[]> = { m: ['e', 'en', 'en', 'en'], f: ['e', 'e', 'en', 'en'], n: ['e', 'e', 'en', 'en'], p: ['en', 'en', 'en', 'en'] };
const ADJECTIVE_ENDINGS: Record<Kind, Record<Gender, string[]>> = {
  definite: WEAK,
  der: WEAK,
  ein: { m: ['er', 'en', 'en', 'en'], f: ['e', 'e', 'en', 'en'], n: ['es', 'es', 'en', 'en'], p: ['en', 'en', 'en', 'en'] },
  none: { m: ['er', 'en', 'em', 'en'], f: ['e', 'e', 'er', 'er'], n: ['es', 'es', 'em', 'en'], p: ['e', 'e', 'en', 'er'] },
};
const MASCULINE_NEUTER_DATIVE: Reading[] = [['m', 2], ['n', 2]];
const CONTRACTIONS = new Map<string, Reading[]>([
  ...['im', 'am', 'vom', 'zum', 'beim'].map((word): [string, Reading[]] => [word, MASCULINE_NEUTER_DATIVE]),
  ['zur', [['f', 2]]],
  ...['ins', 'ans', 'aufs'].map((word): [string, Reading[]] => [word, [['n', 1]]]),
]);
const words = (text: string) => new Set(text.split(' '));
const NUMBERS = words('zwei drei vier fünf sechs sieben acht neun zehn elf zwölf viele einige mehrere beide wenige');
const INVARIABLE = words('orange beige rosa lila pink extra super');
const ADJECTIVE_SUFFIXES = ['e', 'er', 'en', 'em', 'es'];
const PREPOSITIONS = words(
  'mit von zu bei aus nach seit gegenüber neben zwischen unter vor hinter in an auf über für durch gegen ohne um entlang während im am vom zum zur beim ins ans aufs',
);
const CONJUNCTIONS = words('und oder sowie');
const PRONOUNS = words('sich es er sie ihr ihre ihren ihrem ihrer sein seine seinen seinem seiner der die das den dem');
const FUNCTION_WORDS = new Set([...PREPOSITIONS, ...CONJUNCTIONS, ...PRONOUNS, ...words(', ein eine einer einen einem eines des ist sind wird werden hat haben als wie dabei auch noch sehr')]);
const DANGLING_ENDINGS = new Set([
  ...CONJUNCTIONS,
  ...words(', ein eine einer einen einem eines der die das den dem des ihre ihren ihrem ihrer sein seine seinen seinem seiner sehr in von bei neben zwischen hinter für gegen ohne während im am vom zum zur beim ins ans aufs'),
]);
const NOUNS_BEFORE_DASS = words('tatsache hoffnung angst sorge gefühl eindruck zeichen beweis idee vorstellung meinung glaube');
// Hyphenated words whole ("t-shirt"), commas kept: "eine Person , die Ball spielt" has a relative pronoun.
const TOKEN = /[a-z0-9äöüß]+(?:-[a-z0-9äöüß]+)*|,/g;

function determinerReadings(word: string): { kind: Kind; readings: Reading[] } | undefined {
  const contraction = CONTRACTIONS.get(word);
  if (contraction) return { kind: 'definite', readings: contraction };
  const definite = GENDERS.flatMap((g) => CASES.filter((c) => DEFINITE[g][c] === word).map((c): Reading => [g, c]));
  if (definite.length > 0) return { kind: 'definite', readings: definite };
  for (const [kind, stems, endings] of [['ein', EIN_STEMS, EIN_ENDINGS], ['der', DER_STEMS, DER_ENDINGS]] as const) {
    for (const stem of stems) {
      if (!word.startsWith(stem)) continue;
      const readings = GENDERS.flatMap((g) =>
        CASES.filter((c) => stem + endings[g][c] === word && !(stem === 'ein' && g === 'p')).map((c): Reading => [g, c]),
      );
      if (readings.length > 0) return { kind, readings };
    }
  }
  if (NUMBERS.has(word)) return { kind: 'none', readings: CASES.map((c): Reading => ['p', c]) };
  return undefined;
}

const isAdjective = (word: string) =>
  ADJECTIVE_SUFFIXES.some((suffix) => word.endsWith(suffix)) && !NOUN_GENDERS.has(word) && !FUNCTION_WORDS.has(word) && !INVARIABLE.has(word);

/** The adjectives and the noun after position START, or undefined without a noun of known gender. */
function nounPhrase(tokens: string[], start: number): { adjectives: string[]; noun: number } | undefined {
  const adjectives: string[] = [];
  let j = start;
  while (j < tokens.length && (isAdjective(tokens[j]) || INVARIABLE.has(tokens[j])) && adjectives.length < 4) {
    if (isAdjective(tokens[j])) adjectives.push(tokens[j]);
    j++;
  }
  return j < tokens.length && NOUN_GENDERS.has(tokens[j]) ? { adjectives, noun: j } : undefined;
}

function disagrees(tokens: string[]): boolean {
  return tokens.some((word, i) => {
    const determiner = determinerReadings(word);
    if (!determiner || (i > 0 && tokens[i - 1] === ',')) return false; // after a comma: a relative pronoun
    const phrase = nounPhrase(tokens, i + 1);
    if (!phrase) return false;
    const genders = NOUN_GENDERS.get(tokens[phrase.noun]) ?? '';
    return !determiner.readings.some(
      ([g, c]) => genders.includes(g) && phrase.adjectives.every((adjective) => adjective.endsWith(ADJECTIVE_ENDINGS[determiner.kind][g][c])),
    );
  });
}

/** A determiner opens a phrase; a number does not ("zwei" before a noun names a count, not a new thing). */
const opensNounPhrase = (word: string) => determinerReadings(word) !== undefined && !NUMBERS.has(word);

/** "eine Person und ein Hund sitzt": the opening noun phrase and another, joined by "und", take a verb in -t. */
function hasCoordinatedSubjectWithSingularVerb(tokens: string[]): boolean {
  const conjunction = tokens.indexOf('und');
  if (conjunction < 1 || conjunction + 1 >= tokens.length || tokens.slice(0, conjunction).some((word) => PREPOSITIONS.has(word))) return false;
  if (!determinerReadings(tokens[conjunction + 1])) return false;
  const phrase = nounPhrase(tokens, conjunction + 2);
  if (!phrase || phrase.noun + 1 >= tokens.length) return false;
  const verb = tokens[phrase.noun + 1];
  return verb.endsWith('t') && !FUNCTION_WORDS.has(verb);
}

/** "ein Kind , dass spielt": a relative clause needs "das"; after a noun, "dass" opens one only for a few abstract nouns. */
const hasRelativeDass = (tokens: string[]) =>
  tokens.some((word, i) => i >= 2 && word === 'dass' && tokens[i - 1] === ',' && NOUN_GENDERS.has(tokens[i - 2]) && !NOUNS_BEFORE_DASS.has(tokens[i - 2]));

/** The kinds of slip in a German caption, in a fixed order (empty when it has none). */
export function germanGrammarSlips(caption: string): GermanSlipKind[] {
  const tokens = caption.toLowerCase().match(TOKEN) ?? [];
  const found: GermanSlipKind[] = [];
  if (disagrees(tokens)) found.push('agreement');
  if (hasCoordinatedSubjectWithSingularVerb(tokens)) found.push('und-ist');
  if (hasRelativeDass(tokens)) found.push('relative-dass');
  if (hasRepeatedPhrase(tokens, FUNCTION_WORDS, opensNounPhrase)) found.push('repeated-phrase');
  if (tokens.some((word, i) => word === tokens[i + 1] || (tokens[i + 1] === 'und' && word === tokens[i + 2]))) found.push('doubled-word');
  if (tokens.length > 0 && DANGLING_ENDINGS.has(tokens[tokens.length - 1])) found.push('dangling-end');
  if (caption.trim().split(/\s+/).slice(0, -1).includes('.')) found.push('inner-stop');
  return found;
}
