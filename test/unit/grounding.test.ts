import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCaptioner } from '../../src/captioner';
import { beamSearch, type StepModel, type StepResult } from '../../src/captioner/beam-search';
import {
  classLogPrior,
  decodeDetections,
  describeObjects,
  groundingPrior,
  namedClasses,
  ObjectWords,
  priorRows,
  type DetectedObject,
  type WordPrior,
} from '../../src/captioner/objects';
import type { DetectorSpec } from '../../src/captioner/detector-settings';
import { Vocabulary } from '../../src/captioner/vocabulary';
import { folderPackageFiles } from '../../src/node/package-files';
import { FIXTURE_DETECTOR } from '../../tools/fixture/make-fixture-model';
import { generateFixture, greyImage, REPO_ROOT, useFixtureCaptioner, useFixtureFolders } from './helpers/fixture';

const TABLE = ObjectWords.parse({
  objects: {
    person: ['person', 'people', 'man', 'men', 'woman'],
    dog: ['dog', 'dogs', 'puppy', 'puppies'],
    'hot dog': ['hot dog', 'hot dogs', 'hotdog'],
    'dining table': ['table', 'dining table'],
  },
});

describe('objects.json word table', () => {
  it('finds plurals, synonyms and two-word phrases, a phrase winning over its own words', () => {
    const words = 'two men and puppies eat hot dogs at a dining table .'.split(' ');
    expect(TABLE.mentions(words)).toEqual([
      { label: 'person', start: 1, length: 1 },
      { label: 'dog', start: 3, length: 1 },
      { label: 'hot dog', start: 5, length: 2 },
      { label: 'dining table', start: 9, length: 2 },
    ]);
    expect(TABLE.mentions('a dog near the hot stove'.split(' '))).toEqual([{ label: 'dog', start: 1, length: 1 }]);
    expect(TABLE.mentions('a woman'.split(' '))).toEqual([{ label: 'person', start: 1, length: 1 }]);
  });

  it('ships a table for all 80 COCO classes of the default detector with no word naming two classes', async () => {
    const shipped = ObjectWords.parse(JSON.parse(await readFile(path.join(REPO_ROOT, 'training/objects.json'), 'utf8')));
    expect(shipped.labels).toHaveLength(80);
    expect(shipped.mentions(['men'])[0].label).toBe('person');
    expect(shipped.mentions(['puppy'])[0].label).toBe('dog');
    expect(shipped.mentions(['hot', 'dog'])).toEqual([{ label: 'hot dog', start: 0, length: 2 }]);
    expect(shipped.mentions(['teddy', 'bear'])).toEqual([{ label: 'teddy bear', start: 0, length: 2 }]);
  });

  it('rejects malformed tables with a message naming the problem', () => {
    expect(() => ObjectWords.parse([])).toThrow(/"objects" object/);
    expect(() => ObjectWords.parse({ objects: { dog: 'dog' } })).toThrow(/"dog" must list words/);
    expect(() => ObjectWords.parse({ objects: { dog: ['big brown dog'] } })).toThrow(/one or two words/);
    expect(() => ObjectWords.parse({ objects: { dog: ['pup'], cat: ['pup'] } })).toThrow(/"pup" names both dog and cat/);
  });
});

describe('grounding prior', () => {
  const settings = { lambda: 2, threshold: 0.5, floor: 0.01 };
  const vocabulary = Vocabulary.parse(['<S>', '</S>', 'a', 'dog', 'dogs', 'hot', 'man', 'table', 'grass'].map((w) => `${w} 1`).join('\n'));
  const id = (word: string) => vocabulary.id(word);

  it('penalises words of classes the detector did not see, by λ · log(evidence / threshold), floored', () => {
    expect(classLogPrior('dog', 0.9, settings)).toBe(0);
    expect(classLogPrior('dog', 0.5, settings)).toBe(0);
    expect(classLogPrior('dog', 0.25, settings)).toBeCloseTo(2 * Math.log(0.5), 6);
    expect(classLogPrior('dog', 0, settings)).toBeCloseTo(2 * Math.log(0.02), 6);
    expect(classLogPrior('dog', 0, { ...settings, lambda: 0 })).toBe(-0);
  });

  it("uses a class's own lower threshold where calibration gave one, never a higher one", () => {
    const calibrated = { ...settings, classThresholds: { 'sports ball': 0.1, dog: 0.9 } };
    expect(classLogPrior('sports ball', 0.1, calibrated)).toBe(0);
    expect(classLogPrior('sports ball', 0.05, calibrated)).toBeCloseTo(2 * Math.log(0.5), 6);
    expect(classLogPrior('dog', 0.5, calibrated)).toBe(0);
  });

  it('builds one row for most words and one per phrase start, where "dog" after "hot" is a hot dog', () => {
    const evidence: Record<string, number> = { person: 0.9, dog: 0, 'hot dog': 0.8 };
    const prior = groundingPrior(TABLE, vocabulary, (label) => evidence[label], settings);
    const columns = vocabulary.size;
    const row = (r: number) => prior.table.subarray(r * columns, (r + 1) * columns);
    expect(prior.rows).toBe(2); // "hot" starts the only phrases whose words are all in the vocabulary
    expect(row(0)[id('dog')]).toBeCloseTo(2 * Math.log(0.02), 6);
    expect(row(0)[id('dogs')]).toBeCloseTo(2 * Math.log(0.02), 6);
    expect(row(0)[id('man')]).toBe(0);
    expect(row(0)[id('grass')]).toBe(0);
    expect(row(0)[id('table')]).toBe(0); // "dining table": no evidence given for the class, so left alone
    const afterHot = prior.rowAfter.get(id('hot'));
    expect(afterHot).toBe(1);
    expect(row(1)[id('dog')]).toBe(0); // hot dog seen
    expect(row(1)[id('dogs')]).toBe(0);
    expect(Math.max(...prior.table)).toBeLessThanOrEqual(0);
  });

  it("credits each class's evidence once per caption: a later word of the class gets the repeat prior", () => {
    const evidence: Record<string, number> = { person: 0.9, dog: 0.9, 'hot dog': 0.9 };
    const boosted = { ...settings, boost: 2 };
    const prior = groundingPrior(TABLE, vocabulary, (label) => evidence[label], boosted);
    const gain = classLogPrior('dog', 0.9, boosted);
    expect(gain).toBeCloseTo(1.6, 6);
    expect(prior.ceiling).toBeCloseTo(gain, 6);
    const ids = (caption: string) => caption.split(' ').map(id);
    const labels = (named: Set<number>) => [...named].map((index) => TABLE.labels[index]).sort();
    expect(labels(namedClasses(prior, ids('<S> a man a dog')))).toEqual(['dog', 'person']);
    // "dog" after "hot" names a hot dog, not a dog.
    expect(labels(namedClasses(prior, ids('<S> a hot dog')))).toEqual(['hot dog']);

    const columns = vocabulary.size;
    const rows = priorRows(prior, [ids('<S> a'), ids('<S> a dog a'), ids('<S> a hot dog a'), ids('<S> a dog a hot')]);
    const row = (r: number) => rows.subarray(r * columns, (r + 1) * columns);
    expect(row(0)[id('dog')]).toBeCloseTo(gain, 6);
    expect(row(0)[id('man')]).toBeCloseTo(gain, 6);
    expect(row(1)[id('dog')]).toBe(0); // the dog was named: "dog" and "dogs" gain nothing more
    expect(row(1)[id('dogs')]).toBe(0);
    expect(row(1)[id('man')]).toBeCloseTo(gain, 6); // a person not yet
    expect(row(2)[id('dog')]).toBeCloseTo(gain, 6); // a hot dog is not a dog
    expect(row(3)[id('dog')]).toBeCloseTo(gain, 6); // after "hot": a hot dog, not named yet

    const penalised = groundingPrior(TABLE, vocabulary, (label) => evidence[label], { ...boosted, repeatPenalty: 0.5 });
    expect(priorRows(penalised, [ids('<S> a dog a')])[id('dogs')]).toBeCloseTo(-0.5, 6);
  });
});

/**
 * A plain-JS language model over words, with the grounding prior added as the real model adds it:
 * each row's prior from its caption so far, or (as before issue 39) from its last word alone.
 */
class PriorModel implements StepModel<string[], WordPrior> {
  constructor(
    private readonly vocabulary: Vocabulary,
    private readonly next: Record<string, Record<string, number>>,
    private readonly priorFromWholeCaption: boolean,
  ) {}

  async step(inputFeed: Int32Array, state: string[], k: number, prior?: WordPrior, captions?: readonly (readonly number[])[]): Promise<StepResult<string[]>> {
    const consumed = state.map((prefix, row) => `${prefix} ${this.vocabulary.word(inputFeed[row])}`.trim());
    const rowCaptions = this.priorFromWholeCaption ? captions! : Array.from(inputFeed, (wordId) => [wordId]);
    const priors = prior ? priorRows(prior, rowCaptions) : new Float32Array(consumed.length * this.vocabulary.size);
    const result = { wordIds: [] as number[], logProbs: [] as number[], modelLogProbs: [] as number[] };
    consumed.forEach((prefix, row) => {
      const scored = Object.entries(this.next[prefix]).map(([word, p]) => {
        const wordId = this.vocabulary.id(word);
        return { wordId, modelLogProb: Math.log(p), logProb: Math.log(p) + priors[row * this.vocabulary.size + wordId] };
      });
      scored.sort((x, y) => y.logProb - x.logProb);
      for (let j = 0; j < k; j++) {
        const { wordId, logProb, modelLogProb } = scored[j] ?? { wordId: 0, logProb: -Infinity, modelLogProb: -Infinity };
        result.wordIds.push(wordId);
        result.logProbs.push(logProb);
        result.modelLogProbs.push(modelLogProb);
      }
    });
    return { wordIds: Int32Array.from(result.wordIds), logProbs: Float32Array.from(result.logProbs), modelLogProbs: Float32Array.from(result.modelLogProbs), state: consumed };
  }

  gatherRows(state: string[], rows: Int32Array): string[] {
    return Array.from(rows, (row) => state[row]);
  }

  disposeState(): void {}
}

describe('grounded search on a tiny model of a kitchen with a refrigerator (issue 39)', () => {
  const vocabulary = Vocabulary.parse(['<S>', '</S>', 'a', 'kitchen', 'refrigerator', 'with', 'near'].map((w) => `${w} 1`).join('\n'));
  const objectWords = ObjectWords.parse({ objects: { refrigerator: ['refrigerator', 'fridge'] } });
  // "a kitchen with a refrigerator" (p .6) names it once; "a refrigerator near a refrigerator" (p .4) twice.
  const next: Record<string, Record<string, number>> = {
    '<S>': { a: 1 },
    '<S> a': { kitchen: 0.6, refrigerator: 0.4 },
    '<S> a kitchen': { with: 1 },
    '<S> a kitchen with': { a: 1 },
    '<S> a kitchen with a': { refrigerator: 1 },
    '<S> a kitchen with a refrigerator': { '</S>': 1 },
    '<S> a refrigerator': { near: 1 },
    '<S> a refrigerator near': { a: 1 },
    '<S> a refrigerator near a': { refrigerator: 1 },
    '<S> a refrigerator near a refrigerator': { '</S>': 1 },
  };
  const settings = { lambda: 1, threshold: 0.5, floor: 0.01, boost: 4 };
  // The detector is sure of the refrigerator (evidence 0.9): each "refrigerator" can gain 4 · 0.4 / 0.5 = 3.2.
  const gain = 3.2;

  async function topCaptions(priorFromWholeCaption: boolean, repeatPenalty = 0) {
    const prior = groundingPrior(objectWords, vocabulary, () => 0.9, { ...settings, repeatPenalty });
    const model = new PriorModel(vocabulary, next, priorFromWholeCaption);
    const inputs = { startId: vocabulary.startId, endId: vocabulary.endId, stepInputs: prior, priorCeiling: prior.ceiling };
    const found = await beamSearch(model, [''], inputs, { beamSize: 2 });
    return found.map(({ wordIds, logProb, score }) => ({ text: vocabulary.captionWords(wordIds).join(' '), logProb, score }));
  }

  it('rewarding every mention made the caption that names the refrigerator twice win', async () => {
    const [first, second] = await topCaptions(false);
    expect(first.text).toBe('a refrigerator near a refrigerator');
    expect(first.score).toBeCloseTo(Math.log(0.4) + 2 * gain, 5);
    expect(second.text).toBe('a kitchen with a refrigerator');
  });

  it('rewarding the refrigerator once puts the more probable caption first', async () => {
    const [first, second] = await topCaptions(true);
    expect(first.text).toBe('a kitchen with a refrigerator');
    expect(first.score).toBeCloseTo(Math.log(0.6) + gain, 5);
    expect(second.text).toBe('a refrigerator near a refrigerator');
    expect(second.score).toBeCloseTo(Math.log(0.4) + gain, 5);
    expect(second.logProb).toBeCloseTo(Math.log(0.4), 5); // p stays the model's own
    const [, penalised] = await topCaptions(true, 1);
    expect(penalised.score).toBeCloseTo(Math.log(0.4) + gain - 1, 5);
  });
});

describe('detections', () => {
  const detector: DetectorSpec = { classScores: 's', detections: 'd', labels: ['person', 'dog'], minScore: 0.3, maxObjects: 2 };
  const square = { height: 100, width: 100, resize: 'squash' as const, scale: 1, offset: 0 };

  it('keeps confident rows, merges overlapping boxes of one class, maps boxes to the photo, caps the count', () => {
    const rows = [
      [10, 20, 50, 80, 0.9, 0],
      [12, 22, 50, 80, 0.8, 0], // the same person again
      [12, 22, 50, 80, 0.7, 1], // a dog in the same place is another object
      [60, 60, 90, 90, 0.2, 1], // below minScore
    ];
    const objects = decodeDetections(rows, detector, { width: 400, height: 200 }, square);
    expect(objects.map((o) => o.label)).toEqual(['person', 'dog']);
    expect(objects[0].box.map((v) => +v.toFixed(3))).toEqual([0.1, 0.2, 0.4, 0.6]);
    const capped = decodeDetections([...rows, [60, 60, 90, 90, 0.6, 1]], detector, { width: 400, height: 200 }, square);
    expect(capped).toHaveLength(2);
  });

  it('undoes letterboxing: a box over the padded band is clipped to the photo', () => {
    const padded = { ...square, resize: 'pad' as const };
    // A 200×100 photo fills rows 25–75 of the 100×100 input.
    const [object] = decodeDetections([[0, 0, 50, 50, 0.9, 0]], detector, { width: 200, height: 100 }, padded);
    expect(object.box.map((v) => +v.toFixed(3))).toEqual([0, 0, 0.5, 0.5]);
  });

  it('counts objects per class for the objects line', () => {
    const object = (label: string): DetectedObject => ({ label, score: 1, box: [0, 0, 1, 1] });
    expect(describeObjects([object('person'), object('dog'), object('person'), object('frisbee')])).toBe('2 people, dog, frisbee');
    expect(describeObjects([])).toBe('');
  });
});

describe('grounded beam search on a fixture with a dog detector', () => {
  const fixture = useFixtureCaptioner({ detector: true });
  /** Bright grey: the detector sees no dog. Bright pink (red > blue): it sees one. */
  const noDog = greyImage(32, 32, 230);
  const withDog = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 4).map((_, i) => [255, 200, 110, 255][i % 4]) };

  it('says "dog" without grounding, and not when the detector sees no dog', async () => {
    expect(fixture.captioner.canGround).toBe(true);
    const ungrounded = await fixture.captioner.caption(noDog, { grounding: false });
    expect(ungrounded.captions[0].text).toBe('a white dog .');
    expect(ungrounded.objects).toEqual([]);
    const grounded = await fixture.captioner.caption(noDog);
    expect(grounded.captions[0].text).toBe('a white square .');
    expect(grounded.captions.some((caption) => caption.words.includes('dog'))).toBe(false);
    // p stays the model's own probability of the words, whatever the prior did to the ranking.
    const square = ungrounded.captions.find((caption) => caption.text === 'a white square .');
    expect(grounded.captions[0].logProb).toBeCloseTo(square!.logProb, 5);
  });

  it('still says "dog" when the detector sees one, and lists it with its box', async () => {
    const { captions, objects } = await fixture.captioner.caption(withDog);
    expect(captions[0].words).toContain('dog');
    expect(captions[0].mentions).toEqual([{ label: 'dog', start: 2, length: 1 }]);
    expect(objects).toHaveLength(1);
    const [x1, y1, x2, y2] = FIXTURE_DETECTOR.box;
    expect(objects![0].label).toBe('dog');
    expect(objects![0].box.map((v) => +v.toFixed(4))).toEqual([x1 / 32, y1 / 32, (x2 - x1) / 32, (y2 - y1) / 32]);
  });

  it('a λ of 0 or --no-grounding gives the un-grounded captions', async () => {
    const off = await fixture.captioner.caption(noDog, { grounding: false });
    const zero = await fixture.captioner.caption(noDog, { grounding: { lambda: 0 } });
    expect(zero.captions.map((c) => c.text)).toEqual(off.captions.map((c) => c.text));
  });

  it('a package whose objects.json is missing or malformed still captions, un-grounded, and says why', async () => {
    for (const [content, problem] of [
      [null, /no objects.json/],
      ['{"objects": ', /objects.json is not valid JSON/],
      ['{"objects": {"dog": "dog"}}', /must list words/],
    ] as const) {
      const broken = (await generateFixture({ detector: true })).dir;
      if (content === null) await rm(path.join(broken, 'objects.json'));
      else await writeFile(path.join(broken, 'objects.json'), content);
      const model = await loadCaptioner(folderPackageFiles(broken));
      expect(model.canGround).toBe(false);
      expect(model.groundingProblem).toMatch(problem);
      const { captions, objects } = await model.caption(noDog);
      expect(captions[0].text).toBe('a white dog .');
      expect(objects).toEqual([]);
      model.dispose();
      await rm(broken, { recursive: true, force: true });
    }
  });
});

describe('npm run caption with a model that detects objects', () => {
  const fixture = useFixtureFolders('caption', { detector: true });
  beforeAll(async () => {
    const png = (width: number, height: number, rgb: number[]) => {
      const image = new PNG({ width, height });
      for (let i = 0; i < image.data.length; i += 4) image.data.set([...rgb, 255], i);
      return PNG.sync.write(image);
    };
    await writeFile(path.join(fixture.dir, 'grey.png'), png(64, 48, [230, 230, 230]));
    await writeFile(path.join(fixture.dir, 'pink.png'), png(64, 48, [255, 200, 110]));
  });

  const caption = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), [path.join(REPO_ROOT, 'src/cli/caption.ts'), '--model', fixture.modelDir, '--json', ...args]);
    return JSON.parse(stdout) as { file: string; captions: { text: string }[]; objects: { label: string; score: number; box: number[] }[] }[];
  };

  it('--json gives objects with boxes in pixels, and --no-grounding / --grounding 0 the un-grounded captions', async () => {
    const [grey, pink] = await caption(path.join(fixture.dir, 'grey.png'), path.join(fixture.dir, 'pink.png'));
    expect(grey.captions[0].text).toBe('a white square .');
    expect(grey.objects).toEqual([]);
    expect(pink.captions[0].text).toBe('a white dog .');
    const [x1, y1, x2, y2] = FIXTURE_DETECTOR.box; // in the 32×32 model input, squashed from 64×48
    expect(pink.objects).toEqual([{ label: 'dog', score: expect.closeTo((255 - 110) / 255, 3), box: [x1 * 2, y1 * 1.5, (x2 - x1) * 2, (y2 - y1) * 1.5] }]);
    for (const flag of [['--no-grounding'], ['--grounding', '0']]) {
      const [ungrounded] = await caption(...flag, path.join(fixture.dir, 'grey.png'));
      expect(ungrounded.captions[0].text).toBe('a white dog .');
    }
  }, 120_000);
});
