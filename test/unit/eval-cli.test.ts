import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_SIZE } from '../../training/encoder';
import { scoreCaptions } from '../../src/eval/metrics';
import { generateFixture, REPO_ROOT, useFixtureFolders } from './helpers/fixture';

const run = promisify(execFile);
const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx');
const CLI = path.join(REPO_ROOT, 'src/cli/eval.ts');
const BASELINE = path.join(REPO_ROOT, 'training/baseline.ts');
/** Photos are named relative to this folder, as captions.jsonl names them relative to the photos folder. */
const PHOTOS_DIR = path.join(REPO_ROOT, 'node_modules/@stdlib');
const photo = (name: string) => `datasets-img-${name}/data/image.jpg`;
const AIRPLANE = photo('airplane-from-above'); // dark: the fixture says "a black square ."

const EVALUATED = [
  { file: AIRPLANE, captions: ['A black square.', 'An airplane seen from above.'] },
  { file: photo('locomotion-house-cat'), captions: ['A cat walking.', 'a black and white image of a cat'] },
  { file: photo('nagasaki-boats'), captions: ['Boats in a harbour.', 'A white square of boats.'] },
  { file: 'missing.jpg', captions: ['never read'] },
];
const TRAINING = [
  { file: 'train-dog.jpg', captions: ['A dog runs on the grass.', 'a brown dog running'] },
  { file: 'train-cat.jpg', captions: ['A cat sits on a mat.', 'a cat on a mat'] },
  // Same name as an evaluated photo: the baseline must skip it.
  { file: AIRPLANE, captions: ['its own caption'] },
];

/** Both training photos are among the 30 nearest of every photo, so the baseline says their consensus caption. */
const BASELINE_CAPTION = 'a cat on a mat';

/**
 * The scores of the captions above, worked out by hand from the pycocoevalcap definitions (not with
 * src/eval/metrics.ts, which the command line uses). Scoring words: the model says "a black square",
 * "a black square", "a white square"; the baseline "a cat on a mat" three times.
 *
 * BLEU (corpus): the model's 9 words against the closest reference lengths 3 + 3 + 4 = 10, brevity
 * penalty e^(1 - 10/9); clipped matches: unigrams 3 + 2 + 3 of 9, bigrams 2 + 1 + 2 of 6, trigrams
 * 1 + 0 + 1 of 3, and no 4-gram at all. The
 * baseline's 15 words are longer than 5 + 3 + 5 references (no penalty): unigrams 1 + 3 + 1 of 15
 * ("a" clipped at the references' count), bigrams 0 + 1 + 0 of 12 ("a cat"), no trigram of 9 or 4-gram of 6.
 *
 * CIDEr-D: document frequencies over the three photos' references give idf 0 to "a" (in all three),
 * L = ln 3/2 to black, square, white, of and "a black" (two photos), T = ln 3 to everything in one
 * photo or none. A photo's score is 10/4 × the mean over its references of Σₙ cosₙ × e^(-δ²/72), δ the
 * difference in bigram counts.
 * - model, photo 1: the same words as its first reference (cosines 1, 1, 1, and no 4-gram), nothing
 *   in common with the second: 10/4 × 3/2.
 * - model, photo 2: nothing but "a" in common with "a cat walking"; against "a black and white image
 *   of a cat" (δ = 2 - 7) unigrams L² / (L√2 · √(3L² + 3T²)) and bigrams ("a black") L² / (√(L² + T²) · √(L² + 6T²)).
 * - model, photo 3: nothing but "a" in common with "boats in a harbour"; against "a white square of
 *   boats" (δ = 2 - 4) unigrams 2L² / (L√2 · √(3L² + T²)), bigrams 2T² / (T√2 · 2T), trigrams T² / (T · T√3).
 * - baseline: photos 1 and 3 share only "a" with their references. Photo 2: against "a cat walking"
 *   (δ = 4 - 2) unigrams T² / (T√3 · T√2), bigrams T² / (2T · T√2); against the long reference (δ = 4 - 7)
 *   unigrams T² / (T√3 · √(3L² + 3T²)), bigrams T² / (2T · √(L² + 6T²)).
 */
const HAND_COMPUTED = (() => {
  const [L, T] = [Math.log(3 / 2), Math.log(3)];
  const penalty = (delta: number) => Math.exp(-(delta * delta) / 72);
  const photoScore = (...perReference: number[]) => (10 / 4) * (perReference.reduce((a, b) => a + b, 0) / perReference.length);
  const modelCider = [
    photoScore(3, 0),
    photoScore(0, penalty(5) * (L ** 2 / (L * Math.SQRT2 * Math.sqrt(3 * L ** 2 + 3 * T ** 2)) + L ** 2 / (Math.sqrt(L ** 2 + T ** 2) * Math.sqrt(L ** 2 + 6 * T ** 2)))),
    photoScore(0, penalty(2) * ((2 * L ** 2) / (L * Math.SQRT2 * Math.sqrt(3 * L ** 2 + T ** 2)) + (2 * T ** 2) / (T * Math.SQRT2 * 2 * T) + T ** 2 / (T * T * Math.sqrt(3)))),
  ];
  const baselineCider = [
    0,
    photoScore(
      penalty(2) * (T ** 2 / (T * Math.sqrt(3) * T * Math.SQRT2) + T ** 2 / (2 * T * T * Math.SQRT2)),
      penalty(3) * (T ** 2 / (T * Math.sqrt(3) * Math.sqrt(3 * L ** 2 + 3 * T ** 2)) + T ** 2 / (2 * T * Math.sqrt(L ** 2 + 6 * T ** 2))),
    ),
    0,
  ];
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  // pycocoevalcap's n-gram precision, with its 1e-15 and 1e-9 that keep no match from giving 0 or NaN.
  const precision = (matched: number, guessed: number) => (matched + 1e-15) / (guessed + 1e-9);
  const bleuScores = (brevityPenalty: number, precisions: number[]) =>
    precisions.map((_, n) => brevityPenalty * precisions.slice(0, n + 1).reduce((a, b) => a * b) ** (1 / (n + 1)));
  return {
    model: { bleu: bleuScores(Math.exp(1 - 10 / 9), [precision(8, 9), precision(5, 6), precision(2, 3), precision(0, 0)]), ciderD: mean(modelCider) },
    baseline: { bleu: bleuScores(1, [precision(5, 15), precision(1, 12), precision(0, 9), precision(0, 6)]), ciderD: mean(baselineCider) },
  };
})();

const jsonl = (records: object[]) => records.map((record) => JSON.stringify(record)).join('\n') + '\n';

/** A second set of references (as training/prepare.py --neutral-people writes them): each photo's second caption alone. */
const ALSO_REFERENCES = Object.fromEntries(EVALUATED.map((photo) => [photo.file, [photo.captions.at(-1) ?? '']]));

interface EvalJson {
  photos: number;
  alsoReferences: { file: string; scores: Record<'model' | 'nearest neighbour', { bleu: number[]; ciderD: number }> };
  failures: number;
  scores: Record<'model' | 'baseline', { bleu: number[]; ciderD: number; msPerPhoto: number }>;
  results: { file: string; references: string[]; model: string; baseline: string }[];
}

describe('npm run eval', () => {
  const fixture = useFixtureFolders('eval');
  beforeAll(async () => {
    await writeFile(path.join(fixture.dir, 'captions.jsonl'), jsonl(EVALUATED));
    await writeFile(path.join(fixture.dir, 'training.jsonl'), jsonl(TRAINING));
    await writeFile(path.join(fixture.dir, 'train.files.txt'), TRAINING.map((photo) => photo.file).join('\n') + '\n');
    // Arbitrary but fixed features: this test is about the plumbing; FeatureIndex's ranking has its own tests.
    const features = Float32Array.from({ length: TRAINING.length * FEATURE_SIZE }, (_, i) => Math.sin(i * 12.9898));
    await writeFile(path.join(fixture.dir, 'train.f32'), features);
    await writeFile(path.join(fixture.dir, 'train.json'), JSON.stringify({ resize: 'squash', flip: false, features: FEATURE_SIZE }));
  });

  it('prints BLEU-1..4 and CIDEr-D of the model and the baseline, as worked out by hand for this corpus', async () => {
    // training/baseline.ts captions the photos it can read; the missing one is left out.
    const baselinePath = path.join(fixture.dir, 'baseline.jsonl');
    const baselineArgs = [BASELINE, PHOTOS_DIR, path.join(fixture.dir, 'captions.jsonl'), '--features', path.join(fixture.dir, 'train')];
    await run(TSX, [...baselineArgs, '--training-captions', path.join(fixture.dir, 'training.jsonl'), '--out', baselinePath], { cwd: REPO_ROOT });
    const baseline = (await readFile(baselinePath, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { file: string; neighbours: string[] });
    expect(baseline.map((photo) => photo.file)).toEqual(EVALUATED.slice(0, 3).map((photo) => photo.file));
    for (const photo of baseline) expect(photo.neighbours).not.toContain(photo.file);

    const jsonPath = path.join(fixture.dir, 'out.json');
    const alsoPath = path.join(fixture.dir, 'also-references.json');
    await writeFile(alsoPath, JSON.stringify(ALSO_REFERENCES));
    const args = [CLI, PHOTOS_DIR, path.join(fixture.dir, 'captions.jsonl'), '--model', fixture.modelDir, '--json', jsonPath, '--baseline', baselinePath, '--also-references', alsoPath];
    // The missing photo is reported and makes the exit code 1; the others are still scored.
    const failed = await run(TSX, args, { cwd: REPO_ROOT }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect('code' in failed && failed.code).toBe(1);
    expect(failed.stderr).toMatch(/missing\.jpg: .*no such file/);
    const { stdout } = failed;

    const report = JSON.parse(await readFile(jsonPath, 'utf8')) as EvalJson;
    expect(report.photos).toBe(3);
    expect(report.failures).toBe(1);
    expect(report.results.map((result) => result.file)).toEqual(EVALUATED.slice(0, 3).map((photo) => photo.file));
    expect(report.results[0].model).toBe('a black square .');
    expect(report.results.map((result) => [result.model, result.baseline])).toEqual([
      ['a black square .', BASELINE_CAPTION],
      ['a black square .', BASELINE_CAPTION],
      ['a white square .', BASELINE_CAPTION],
    ]);
    for (const [system, row] of [['model', 'model'], ['baseline', 'nearest neighbour']] as const) {
      const { bleu, ciderD } = HAND_COMPUTED[system];
      bleu.forEach((expected, n) => expect(report.scores[system].bleu[n], `${system} BLEU-${n + 1}`).toBeCloseTo(expected, 8));
      expect(report.scores[system].ciderD, `${system} CIDEr-D`).toBeCloseTo(ciderD, 8);
      const printed = stdout.match(new RegExp(`^${row} +(.+)$`, 'm'))?.[1].trim().split(/ +/);
      expect(printed, `${row} row`).toEqual([...bleu, ciderD].map((score) => score.toFixed(4)));
    }
    expect(stdout).toMatch(/^model: \d+\.\d ms\/photo/m);

    // --also-references: the same captions scored against the second set, photo by photo.
    const againstSecond = stdout.slice(stdout.indexOf(`against the references of ${alsoPath}`));
    for (const [system, captions] of [['model', report.results.map((r) => r.model)], ['nearest neighbour', report.results.map((r) => r.baseline)]] as const) {
      const expected = scoreCaptions(captions, report.results.map((r) => ALSO_REFERENCES[r.file]));
      expect(expected.ciderD).not.toBeCloseTo(report.scores[system === 'model' ? 'model' : 'baseline'].ciderD, 3);
      expect(report.alsoReferences.scores[system].ciderD, `${system} CIDEr-D, second references`).toBeCloseTo(expected.ciderD, 8);
      expect(report.alsoReferences.scores[system].bleu).toEqual(expected.bleu);
      expect(againstSecond.match(new RegExp(`^${system} +(.+)$`, 'm'))?.[1].trim().split(/ +/)).toEqual([...expected.bleu, expected.ciderD].map((score) => score.toFixed(4)));
    }

    const trainingCaptions = TRAINING.slice(0, 2).flatMap((photo) => photo.captions);
    for (const result of report.results) expect(trainingCaptions).toContain(result.baseline);
  }, 90_000);

  it("scores grammar slips and gender by the model card's language: German captions with the German measures", async () => {
    const germanDir = (await generateFixture({ german: true })).dir;
    const jsonPath = path.join(fixture.dir, 'german.json');
    await writeFile(path.join(fixture.dir, 'german.jsonl'), jsonl([{ file: AIRPLANE, captions: ['Ein schwarzes Quadrat.', 'Ein Mann sieht ein Flugzeug.'] }]));
    const { stdout } = await run(TSX, [CLI, PHOTOS_DIR, path.join(fixture.dir, 'german.jsonl'), '--model', germanDir, '--json', jsonPath], { cwd: REPO_ROOT });
    await rm(germanDir, { recursive: true, force: true });
    const report = JSON.parse(await readFile(jsonPath, 'utf8')) as EvalJson & { model: { language: string }; scores: { model: { captionsNamingAGender: number; slips: { byKind: object } } } };
    expect(report.model.language).toBe('de');
    expect(report.results[0].model).toBe('ein schwarzes Quadrat .');
    expect(report.scores.model.captionsNamingAGender).toBe(0);
    expect(Object.keys(report.scores.model.slips.byKind)).toContain('agreement');
    expect(stdout).toContain('captions with a grammar slip (src/eval/slips-de.ts)');
    expect(stdout).toMatch(/^captions naming a gender at all: model 0$/m);
  }, 60_000);

  it('refuses --also-references that lack a photo, before captioning anything', async () => {
    const partial = path.join(fixture.dir, 'partial-references.json');
    await writeFile(partial, JSON.stringify({ [AIRPLANE]: ['a plane'] }));
    const failed = await run(TSX, [CLI, PHOTOS_DIR, path.join(fixture.dir, 'captions.jsonl'), '--model', fixture.modelDir, '--also-references', partial], { cwd: REPO_ROOT }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect('code' in failed && failed.code).toBe(2);
    expect(failed.stderr.trim()).toBe(`error: ${partial} has no references for ${photo('locomotion-house-cat')}`);
  }, 30_000);

  it('explains a bad command line in one line, and prints the usage for --help', async () => {
    const failed = await run(TSX, [CLI, PHOTOS_DIR], { cwd: REPO_ROOT }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failed && failed.code).toBe(2);
    expect(failed.stderr.trim()).toBe('error: expected <photos dir> <captions.jsonl>, got 1 arguments (--help for usage)');
    const { stdout } = await run(TSX, [CLI, '--help'], { cwd: REPO_ROOT });
    expect(stdout).toMatch(/^usage: npm run eval -- \[options\] <photos dir> <captions\.jsonl>\n {2}--limit <n> /);
  }, 30_000);
});
