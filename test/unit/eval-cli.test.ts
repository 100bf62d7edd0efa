import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreCaptions } from '../../src/eval/metrics';
import { FEATURE_SIZE } from '../../training/encoder';
import { generateFixture, REPO_ROOT } from './helpers/fixture';

const run = promisify(execFile);
const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx');
const CLI = path.join(REPO_ROOT, 'src/cli/eval.ts');
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

const jsonl = (records: object[]) => records.map((record) => JSON.stringify(record)).join('\n') + '\n';

interface EvalJson {
  photos: number;
  failures: number;
  scores: Record<'model' | 'baseline', { bleu: number[]; ciderD: number; msPerPhoto: number }>;
  results: { file: string; references: string[]; model: string; baseline: string; neighbours: string[] }[];
}

describe('npm run eval', () => {
  let dir: string;
  let modelDir: string;
  beforeAll(async () => {
    modelDir = (await generateFixture()).dir;
    dir = await mkdtemp(path.join(path.dirname(modelDir), 'eval-'));
    await writeFile(path.join(dir, 'captions.jsonl'), jsonl(EVALUATED));
    await writeFile(path.join(dir, 'training.jsonl'), jsonl(TRAINING));
    await writeFile(path.join(dir, 'train.files.txt'), TRAINING.map((photo) => photo.file).join('\n') + '\n');
    // Arbitrary but fixed features: this test is about the plumbing; FeatureIndex's ranking has its own tests.
    const features = Float32Array.from({ length: TRAINING.length * FEATURE_SIZE }, (_, i) => Math.sin(i * 12.9898));
    await writeFile(path.join(dir, 'train.f32'), features);
  });
  afterAll(() => Promise.all([modelDir, dir].map((folder) => rm(folder, { recursive: true, force: true }))));

  it('prints BLEU-1..4 and CIDEr-D of the model and the baseline as metrics.ts scores the hypotheses', async () => {
    const jsonPath = path.join(dir, 'out.json');
    const args = [CLI, PHOTOS_DIR, path.join(dir, 'captions.jsonl'), '--model', modelDir, '--json', jsonPath];
    args.push('--baseline-features', path.join(dir, 'train'), '--baseline-captions', path.join(dir, 'training.jsonl'));
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
    const references = report.results.map((result) => result.references);
    for (const [system, row] of [['model', 'model'], ['baseline', 'nearest neighbour']] as const) {
      const scores = scoreCaptions(report.results.map((result) => result[system]), references);
      expect(report.scores[system].bleu).toEqual(scores.bleu);
      expect(report.scores[system].ciderD).toEqual(scores.ciderD);
      const printed = stdout.match(new RegExp(`^${row} +(.+)$`, 'm'))?.[1].trim().split(/ +/);
      expect(printed).toEqual([...scores.bleu, scores.ciderD].map((score) => score.toFixed(4)));
    }
    expect(report.scores.model.ciderD).toBeGreaterThan(0);
    expect(stdout).toMatch(/^model: \d+\.\d ms\/photo/m);
    expect(stdout).toMatch(/^nearest neighbour: \d+\.\d ms\/photo/m);

    const trainingCaptions = TRAINING.slice(0, 2).flatMap((photo) => photo.captions);
    for (const result of report.results) {
      expect(trainingCaptions).toContain(result.baseline);
      expect(result.neighbours).not.toContain(result.file);
    }
  }, 60_000);

  it("scores grammar slips and gender by the model card's language: German captions with the German measures", async () => {
    const germanDir = (await generateFixture({ german: true })).dir;
    const jsonPath = path.join(dir, 'german.json');
    await writeFile(path.join(dir, 'german.jsonl'), jsonl([{ file: AIRPLANE, captions: ['Ein schwarzes Quadrat.', 'Ein Mann sieht ein Flugzeug.'] }]));
    const { stdout } = await run(TSX, [CLI, PHOTOS_DIR, path.join(dir, 'german.jsonl'), '--model', germanDir, '--json', jsonPath], { cwd: REPO_ROOT });
    await rm(germanDir, { recursive: true, force: true });
    const report = JSON.parse(await readFile(jsonPath, 'utf8')) as EvalJson & { model: { language: string }; scores: { model: { captionsNamingAGender: number; slips: { byKind: object } } } };
    expect(report.model.language).toBe('de');
    expect(report.results[0].model).toBe('ein schwarzes Quadrat .');
    expect(report.scores.model.captionsNamingAGender).toBe(0);
    expect(Object.keys(report.scores.model.slips.byKind)).toContain('agreement');
    expect(stdout).toContain('captions with a grammar slip (src/eval/slips-de.ts)');
    expect(stdout).toMatch(/^captions naming a gender at all: model 0$/m);
  }, 60_000);

  it('explains a bad command line in one line, and prints the usage for --help', async () => {
    const failed = await run(TSX, [CLI, PHOTOS_DIR], { cwd: REPO_ROOT }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failed && failed.code).toBe(2);
    expect(failed.stderr.trim()).toBe('error: expected <photos dir> <captions.jsonl>, got 1 arguments (--help for usage)');
    const { stdout } = await run(TSX, [CLI, '--help'], { cwd: REPO_ROOT });
    expect(stdout).toMatch(/^usage: npm run eval -- \[options\] <photos dir> <captions\.jsonl>\n {2}--limit <n> /);
  }, 30_000);
});
