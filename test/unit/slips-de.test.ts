import { describe, expect, it } from 'vitest';
import { GERMAN_SLIP_KINDS, germanGrammarSlips } from '../../src/eval/slips-de';
import { countSlips } from '../../src/eval/slips';
import { PYTHON, runTrainingPython } from './helpers/training-python';

// The nouns' genders come from src/eval/german-noun-genders.json (person f, kind n, hund m, hunde p, ...).
const EXAMPLES: [string, string[]][] = [
  ['eine junge person fährt fahrrad .', []],
  ['ein kleines kind läuft über eine wiese .', []],
  ['zwei personen sitzen auf einer bank .', []],
  ['die kleinen kinder spielen im wasser .', []],
  ['ein kind sieht einer ente zu .', []],
  ['eine person , die ball spielt .', []],
  ['eine person in einem roten t-shirt .', []],
  // Agreement: determiner, adjective and noun.
  ['eine junger person fährt fahrrad .', ['agreement']],
  ['ein großes hund läuft .', ['agreement']],
  ['die kleine kinder spielen .', ['agreement']],
  ['ein kind füttert eine pferd .', ['agreement']],
  ['drei hund auf der wiese .', ['agreement']],
  ['ein kind steht auf einem großem platz .', ['agreement']],
  // A coordinated subject with a singular verb.
  ['eine person und ein hund sitzt auf einer bank .', ['und-ist']],
  ['eine person und ein hund sitzen auf einer bank .', []],
  // "dass" where a relative clause needs "das"; a dass-clause after "tatsache" or a verb is fine.
  ['ein kleines kind , dass auf einer schaukel spielt .', ['relative-dass']],
  ['ein kleines kind , das auf einer schaukel spielt .', []],
  ['die tatsache , dass ein hund läuft .', []],
  ['eine person zeigt , dass sie lacht .', []],
  // The same thing named twice, doubled words, dangling ends, an inner stop.
  ['ein tisch mit einem tisch .', ['repeated-phrase']],
  ['ein hund mit einem ball und ein hund mit einem ball .', ['repeated-phrase']],
  ['ein weißer und weißer hund .', ['doubled-word']],
  ['ein hund hund läuft .', ['doubled-word']],
  ['eine person sitzt auf einem .', ['dangling-end']],
  ['eine person steht auf einer wiese und .', ['dangling-end']],
  ['eine person steht auf . einer wiese .', ['inner-stop']],
  ['', []],
];

describe('germanGrammarSlips', () => {
  it.each(EXAMPLES)('%s', (caption, kinds) => {
    expect(germanGrammarSlips(caption)).toEqual(kinds);
  });

  it('counts captions with any slip once', () => {
    const rate = countSlips(EXAMPLES.map(([caption]) => caption), germanGrammarSlips, GERMAN_SLIP_KINDS);
    expect(rate.share).toBeCloseTo(EXAMPLES.filter(([, kinds]) => kinds.length > 0).length / EXAMPLES.length, 9);
    expect(rate.byKind.agreement).toBe(6);
  });
});

// The German self-critical reward penalises slips as training/slips_de.py finds them: the two must agree.
describe.skipIf(!PYTHON)('training/slips_de.py', () => {
  it('finds the same slips as src/eval/slips-de.ts', () => {
    const captions = EXAMPLES.map(([caption]) => caption);
    expect(runTrainingPython(['from slips_de import slips', 'print(json.dumps([slips(c) for c in data]))'], captions)).toEqual(
      captions.map(germanGrammarSlips),
    );
  });
});
