import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ObjectWords } from '../../src/captioner/objects';
import { captionDiversity, mentionedClasses, objectHallucination } from '../../src/eval/hallucination';
import { PYTHON, runTrainingPython, TRAINING_DIR } from './helpers/training-python';

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

  it('counts the captions that name one class twice or more, by any of its words', () => {
    const captions = ['A dog next to a dog.', 'A man and a woman.', 'A hot dog and a dog.', 'A man with a frisbee.'];
    expect(objectHallucination(TABLE, captions, captions.map(() => [])).captionsNamingAClassTwice).toBe(2);
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

// The self-critical reward counts invented and recalled objects as training/hallucination.py finds them: it must
// agree with the CHAIR that `npm run eval` reports, on the real object table.
describe.skipIf(!PYTHON)('training/hallucination.py', () => {
  it('names, invents and recalls the same classes as src/eval/hallucination.ts', () => {
    const table = ObjectWords.parse(JSON.parse(readFileSync(path.join(TRAINING_DIR, 'objects.json'), 'utf8')));
    const photos: [string, string[]][] = [
      ['A man eats a hot dog next to a dog.', ['A person eating a hot dog.', 'Someone with food.']],
      ['Two giraffes and a zebra, a teddy bear on a dining table.', ['A giraffe in a zoo.', 'Animals near a table.']],
      ['a person riding a motor bike down a street .', ['A motorcycle rider on the road.']],
      ['A grassy field.', ['A dog runs on the grass.']],
    ];
    const fromPython = runTrainingPython(
      [
        'from hallucination import ReferenceObjects',
        'objects = ReferenceObjects([refs for _, refs in data])',
        'print(json.dumps([[objects.object_words.mentioned_classes(c), objects.invented(row, c), objects.recalled(row, c)]',
        '                  for row, (c, _) in enumerate(data)]))',
      ],
      photos,
    );
    const expected = photos.map(([caption, references]) => {
      const scores = objectHallucination(table, [caption], [references]);
      const referenceClasses = new Set(references.flatMap((reference) => mentionedClasses(table, reference))).size;
      return [mentionedClasses(table, caption), new Set(scores.inventedClasses.map(([label]) => label)).size, Math.round(scores.objectRecall * referenceClasses)];
    });
    expect(fromPython).toEqual(expected);
  });
});
