import { describe, expect, it } from 'vitest';
import { grammarSlips, slipRate } from '../../src/eval/slips';
import { PYTHON, runTrainingPython } from './helpers/training-python';

const EXAMPLES: [string, string[]][] = [
  ['a man and a woman is sitting on a rock .', ['and-is']],
  ['a plate of a plate of food .', ['repeated-phrase']],
  ['a kitchen with a kitchen .', ['repeated-phrase']],
  ['a person holding a tennis racket on a tennis court .', []],
  ['a football player in a red uniform is wearing a red uniform .', ['repeated-phrase']],
  ['a white and white dog runs .', ['doubled-word']],
  ['a dog dog runs .', ['doubled-word']],
  ['a group of people are sitting on a .', ['dangling-end']],
  ['a person and a person is standing next to a person and a person .', ['and-is', 'repeated-phrase']],
  ['a dog is running through the grass .', []],
  ['a group of people sitting on a cell . . .', ['inner-stop']],
  ['a cat on a mat . a dog', ['inner-stop']],
  ['a person in a red shirt is sitting in a chair .', []],
  ['a man and woman is sitting on a bench .', ['and-is']],
  ['a black and white dog is running through the grass .', []],
  ['a person in a blue shirt and blue jeans is standing .', []],
  ['a person holding a knife and a fork is smiling .', []],
  ['', []],
];

describe('grammarSlips', () => {
  it.each(EXAMPLES)('%s', (caption, kinds) => {
    expect(grammarSlips(caption)).toEqual(kinds);
  });

  it('counts captions with any slip once', () => {
    const rate = slipRate(EXAMPLES.map(([caption]) => caption));
    expect(rate.share).toBeCloseTo(11 / 18, 9);
    expect(rate.byKind['and-is']).toBe(3);
  });
});

// The self-critical reward penalises slips as training/slips.py finds them: the two must agree.
describe.skipIf(!PYTHON)('training/slips.py', () => {
  it('finds the same slips as src/eval/slips.ts', () => {
    const captions = EXAMPLES.map(([caption]) => caption);
    expect(runTrainingPython(['from slips import slips', 'print(json.dumps([slips(c) for c in data]))'], captions)).toEqual(captions.map(grammarSlips));
  });
});
