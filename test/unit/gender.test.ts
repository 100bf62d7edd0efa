import { describe, expect, it } from 'vitest';
import { captionsNamingAGender, genderAccuracy, gendersNamed, referenceGender } from '../../src/eval/gender';

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

  it('finds German gendered person nouns, not the adjective "junge" or pronouns, which follow grammatical gender', () => {
    expect(gendersNamed('ein Mann und eine Frau gehen .', 'de')).toEqual(new Set(['female', 'male']));
    expect(gendersNamed('ein kleines Mädchen spielt mit ihrer Freundin .', 'de')).toEqual(new Set(['female']));
    expect(gendersNamed('eine Eiskunstläuferin auf dem Eis .', 'de')).toEqual(new Set(['female']));
    expect(gendersNamed('ein Junge springt in den See .', 'de')).toEqual(new Set(['male']));
    expect(gendersNamed('zwei jungen spielen fußball .', 'de')).toEqual(new Set(['male']));
    // Neutral captions as the German model says them.
    expect(gendersNamed('eine junge Person mit ihrem Hund auf einem Trampolin .', 'de')).toEqual(new Set());
    expect(gendersNamed('zwei jungen Personen sitzen an einem Kamin , er ist warm .', 'de')).toEqual(new Set());
    expect(gendersNamed('a man and his dog .', 'de')).toEqual(new Set());
    expect(captionsNamingAGender(['eine Person läuft .', 'ein Mann läuft .', 'zwei Kinder und ihre Mutter .'], 'de')).toBe(2);
    expect(captionsNamingAGender(['a person runs .', 'a man runs .'])).toBe(1);
  });
});
