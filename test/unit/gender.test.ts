import { describe, expect, it } from 'vitest';
import { genderAccuracy, gendersNamed, referenceGender } from '../../src/eval/gender';

describe('gender in captions', () => {
  it('takes a gender from the references only when three agree and none disagrees', () => {
    expect(referenceGender(['A woman runs.', 'A girl running.', 'She runs fast.', 'A runner.'])).toBe('female');
    expect(referenceGender(['A woman runs.', 'A girl running.', 'She runs.', 'A man and his dog.'])).toBeNull();
    expect(referenceGender(['A man runs.', 'A boy.', 'A runner.'])).toBeNull();
    expect(gendersNamed('A man and a woman.')).toEqual(new Set(['female', 'male']));
  });

  it('counts right, wrong (the other gender, alone or not) and neutral captions per gender', () => {
    const women = ['A woman runs.', 'A girl running.', 'She runs fast.'];
    const men = ['A man skis.', 'A boy skiing.', 'He skis.'];
    const result = genderAccuracy(
      ['a woman is running .', 'a man and a woman are running .', 'a person is running .', 'a man is skiing .', 'a dog .'],
      [women, women, women, men, ['A dog.']],
    );
    expect(result.female).toEqual({ photos: 3, right: 1 / 3, wrong: 1 / 3, neutral: 1 / 3 });
    expect(result.male).toEqual({ photos: 1, right: 1, wrong: 0, neutral: 0 });
  });
});
