/**
 * Grammar slips in a caption, the measure of issue 24's "grammar slip" target (training/slips.py
 * has the same definition, for the self-critical reward; a unit test keeps the two equal):
 * - a coordinated subject with a singular verb ("a dog and a cat is ...");
 * - a phrase repeated: a word pair with a content word in it, said twice ("a plate of a plate of food");
 * - a doubled word, next to itself or across "and" ("white and white");
 * - an ending on a word that cannot end a sentence ("... sitting on a").
 */
import { scoringTokens } from './metrics';

export type SlipKind = 'and-is' | 'repeated-phrase' | 'doubled-word' | 'dangling-end';

const FUNCTION_WORDS = new Set(
  'a an the of and with in on at to for from by is are its their it this that there while as into near next down up over under through his her'.split(' '),
);
const DANGLING_ENDINGS = new Set('a an the of and with in on at to for from by is are its their'.split(' '));

/** The kinds of slip in a caption, in a fixed order (empty when it has none). */
export function grammarSlips(caption: string): SlipKind[] {
  const words = scoringTokens(caption);
  const found: SlipKind[] = [];
  const firstIs = words.indexOf('is');
  if (firstIs >= 0 && words.slice(0, firstIs).includes('and')) found.push('and-is');
  const contentPairs = words
    .slice(0, -1)
    .map((word, i) => [word, words[i + 1]])
    .filter((pair) => pair.some((word) => !FUNCTION_WORDS.has(word)))
    .map((pair) => pair.join(' '));
  if (new Set(contentPairs).size !== contentPairs.length) found.push('repeated-phrase');
  const doubled = words.some((word, i) => word === words[i + 1] || (words[i + 1] === 'and' && word === words[i + 2]));
  if (doubled) found.push('doubled-word');
  if (words.length > 0 && DANGLING_ENDINGS.has(words[words.length - 1])) found.push('dangling-end');
  return found;
}

/** Share of captions with at least one slip, and how many captions have each kind. */
export function slipRate(captions: string[]): { share: number; byKind: Record<SlipKind, number> } {
  const byKind: Record<SlipKind, number> = { 'and-is': 0, 'repeated-phrase': 0, 'doubled-word': 0, 'dangling-end': 0 };
  let withSlip = 0;
  for (const caption of captions) {
    const kinds = grammarSlips(caption);
    if (kinds.length > 0) withSlip++;
    for (const kind of kinds) byKind[kind]++;
  }
  return { share: captions.length === 0 ? 0 : withSlip / captions.length, byKind };
}
