import { describe, expect, it } from 'vitest';
import { ObjectWords } from '../../src/captioner/objects';
import { captionDiversity, objectHallucination } from '../../src/eval/hallucination';

const TABLE = ObjectWords.parse({ objects: { person: ['man', 'men', 'woman', 'people'], dog: ['dog', 'dogs'], frisbee: ['frisbee'], 'hot dog': ['hot dog'] } });

describe('object hallucination (CHAIR, caption-only)', () => {
  it('counts an object as invented when no reference names its class', () => {
    const captions = ['A man throws a frisbee to a dog.', 'A woman eats a hot dog.', 'A grassy field.'];
    const references = [
      ['Two men play with a frisbee.', 'People in a park with a frisbee.'],
      ['A lady eating a hot dog.', 'Someone with a hot dog.'],
      ['A dog runs on the grass.'],
    ];
    const scores = objectHallucination(TABLE, captions, references);
    // Caption 1 invents the dog; caption 2 invents the woman ("lady" is not in this table); caption 3 names nothing.
    expect(scores.mentions).toBe(5);
    expect(scores.hallucinatedMentions).toBe(2);
    expect(scores.chairI).toBeCloseTo(2 / 5, 12);
    expect(scores.chairS).toBeCloseTo(2 / 3, 12);
    // References name person+frisbee, hot dog, dog (4 classes); the captions name person, frisbee and hot dog of them.
    expect(scores.objectRecall).toBeCloseTo(3 / 4, 12);
    expect(scores.inventedClasses).toEqual([
      ['dog', 1],
      ['person', 1],
    ]);
  });

  it('scores nothing invented as 0, without dividing by zero', () => {
    expect(objectHallucination(TABLE, ['A field.'], [['A field.']])).toMatchObject({ chairS: 0, chairI: 0, objectRecall: 0 });
  });
});

describe('caption diversity', () => {
  it('counts distinct captions per photo and distinct words, as the metrics tokenise them', () => {
    expect(captionDiversity(['A dog.', 'a dog .', 'A cat on a mat.'])).toEqual({ distinctCaptions: 2 / 3, distinctWords: 5 });
  });
});
