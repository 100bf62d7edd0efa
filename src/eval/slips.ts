/**
 * Grammar slips in a caption, the measure of issue 24's "grammar slip" target (training/slips.py
 * has the same definition, for the self-critical reward; a unit test keeps the two equal):
 * - a coordinated subject with a singular verb ("a man and a woman is ..."): the caption opens with a
 *   noun phrase (no preposition or -ing word yet) joined by "and" to another one, then "is"; "and"
 *   between two colours ("a black and white dog is") or inside a later phrase ("a person in a shirt
 *   and jeans is") does not count;
 * - a phrase repeated: three words with a content word in them said twice ("a plate of a plate of
 *   food"), or the same noun twice after a/an/the as the head of its phrase ("a kitchen with a
 *   kitchen"; "a tennis racket on a tennis court" is fine);
 * - a doubled word, next to itself or across "and" ("white and white");
 * - an ending on a word that cannot end a sentence ("... sitting on a");
 * - a full stop before the end ("... on a cell . . ."), which the other kinds cannot see: they read
 *   the words without punctuation.
 */
import { scoringTokens } from './metrics';

export type SlipKind = 'and-is' | 'repeated-phrase' | 'doubled-word' | 'dangling-end' | 'inner-stop';

const FUNCTION_WORDS = new Set(
  'a an the of and with in on at to for from by is are its their it this that there while as into near next down up over under through his her'.split(' '),
);
const DANGLING_ENDINGS = new Set('a an the of and with in on at to for from by is are its their'.split(' '));
const PREPOSITIONS = new Set('in on at with of near by from under over behind beside next inside outside into through across along around above below between for to'.split(' '));
const COLOURS = new Set('black white red blue green yellow brown orange pink purple gray grey silver gold tan dark light'.split(' '));

const ARTICLES = new Set(['a', 'an', 'the']);
const hasDuplicates = (items: string[]) => new Set(items).size !== items.length;

/**
 * The same thing said twice, in any language: a run of three words holding a content word, or a phrase's
 * head noun (a content word after `opensPhrase(previous word)`, with no content word after it), twice.
 */
export function hasRepeatedPhrase(words: string[], functionWords: ReadonlySet<string>, opensPhrase: (word: string) => boolean): boolean {
  const contentTriples = words
    .slice(0, -2)
    .map((word, i) => [word, words[i + 1], words[i + 2]])
    .filter((triple) => triple.some((word) => !functionWords.has(word)))
    .map((triple) => triple.join(' '));
  const headNouns = words.filter(
    (word, i) => i > 0 && opensPhrase(words[i - 1]) && !functionWords.has(word) && (i + 1 === words.length || functionWords.has(words[i + 1])),
  );
  return hasDuplicates(contentTriples) || hasDuplicates(headNouns);
}

/** "a man and a woman is": the caption's opening noun phrase and another, joined by "and", take "is". */
function hasCoordinatedSubjectWithIs(words: string[]): boolean {
  const firstIs = words.indexOf('is');
  const and = words.indexOf('and');
  if (firstIs < 0 || and < 1 || and > firstIs) return false;
  const opening = words.slice(0, and);
  return !opening.some((word) => PREPOSITIONS.has(word) || word.endsWith('ing')) && !COLOURS.has(words[and + 1]);
}

/** The kinds of slip in a caption, in a fixed order (empty when it has none). */
export function grammarSlips(caption: string): SlipKind[] {
  const words = scoringTokens(caption);
  const found: SlipKind[] = [];
  if (hasCoordinatedSubjectWithIs(words)) found.push('and-is');
  if (hasRepeatedPhrase(words, FUNCTION_WORDS, (word) => ARTICLES.has(word))) found.push('repeated-phrase');
  const doubled = words.some((word, i) => word === words[i + 1] || (words[i + 1] === 'and' && word === words[i + 2]));
  if (doubled) found.push('doubled-word');
  if (words.length > 0 && DANGLING_ENDINGS.has(words[words.length - 1])) found.push('dangling-end');
  if (caption.trim().split(/\s+/).slice(0, -1).includes('.')) found.push('inner-stop');
  return found;
}

const SLIP_KINDS: readonly SlipKind[] = ['and-is', 'repeated-phrase', 'doubled-word', 'dangling-end', 'inner-stop'];

/** Share of captions with at least one slip as FIND sees them, and how many captions have each of its KINDS. */
export function countSlips<K extends string>(
  captions: string[],
  find: (caption: string) => K[],
  kinds: readonly K[],
): { share: number; byKind: Record<K, number> } {
  const byKind = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<K, number>;
  let withSlip = 0;
  for (const caption of captions) {
    const found = find(caption);
    if (found.length > 0) withSlip++;
    for (const kind of found) byKind[kind]++;
  }
  return { share: captions.length === 0 ? 0 : withSlip / captions.length, byKind };
}

/** Share of English captions with at least one slip, and how many captions have each kind. */
export function slipRate(captions: string[]): { share: number; byKind: Record<SlipKind, number> } {
  return countSlips(captions, grammarSlips, SLIP_KINDS);
}
