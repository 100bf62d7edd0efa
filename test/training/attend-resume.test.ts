import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// A seconds-long smoke version of the attending decoder's training (training/attend.py) on made-up
// region features: a run stopped every few steps and started again with the same command must end
// with the same weights as one that was never stopped. Needs Debian's python3-torch (training only).
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
const SCRIPT = path.resolve(import.meta.dirname, '../../training/attend.py');
const WORDS = ['<S>', '</S>', 'a', 'dog', 'cat', 'runs', 'sleeps', 'on', 'the', 'grass', 'bed', '.'];
// The last 80 pooled features are the detector's class scores, as encode.ts writes them.
const LAYOUT = { features: 90, regions: { count: 3, gridSide: 2, channels: 8, geometry: 6 } };
const CONFIG = {
  embed: 8, units: 8, attention_size: 4, threads: 1,
  phases: {
    xe: { steps: 7, check_every: 3, batch: 4, patience: 10 },
    scst: { steps: 5, check_every: 2, batch: 2, samples: 3, patience: 10 },
  },
};

/** Writes a tiny prepared data set and region features; photos of dogs and cats differ in their features. */
function makeData(root: string): { data: string; features: string } {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const captions: Record<string, string[]> = {};
  const { features: global, regions } = LAYOUT;
  const record = global + (regions.gridSide ** 2 + regions.count) * regions.channels + regions.count * regions.geometry;
  for (const split of ['train', 'val']) {
    for (const shard of [0, 1]) {
      const files = Array.from({ length: 4 }, (_, i) => `${split}-${shard}-${i}.jpg`);
      const values = new Float32Array(record * files.length).map(() => random());
      files.forEach((file, i) => {
        const animal = i % 2 === 0 ? 'dog' : 'cat';
        values[i * record] = animal === 'dog' ? 3 : -3;
        captions[file] = [`a ${animal} runs on the grass .`, `a ${animal} sleeps on the bed .`];
        // A detection's class index must be a whole number below 80.
        for (let r = 0; r < regions.count; r++) values[(i + 1) * record - (regions.count - r) * regions.geometry + 5] = 16;
      });
      const prefix = path.join(root, 'features', `${split}-${shard}`);
      writeFileSync(`${prefix}.f32`, Buffer.from(values.buffer));
      writeFileSync(`${prefix}.files.txt`, files.join('\n') + '\n');
      writeFileSync(`${prefix}.json`, JSON.stringify({ resize: 'squash', flip: false, ...LAYOUT }));
    }
  }
  writeFileSync(path.join(root, 'data', 'word_counts.txt'), WORDS.map((word) => `${word} 10`).join('\n') + '\n');
  writeFileSync(path.join(root, 'data', 'captions.json'), JSON.stringify(captions));
  return { data: path.join(root, 'data'), features: path.join(root, 'features') };
}

/** makeData into ROOT/data and ROOT/features, once. */
function makeDataOnce(root: string): { data: string; features: string } {
  if (!existsSync(path.join(root, 'data'))) {
    for (const dir of ['data', 'features']) mkdirSync(path.join(root, dir));
    return makeData(root);
  }
  return { data: path.join(root, 'data'), features: path.join(root, 'features') };
}

function train(run: string, dirs: { data: string; features: string }, extra: string[] = [], config: object = CONFIG) {
  const result = spawnSync(
    PYTHON,
    [SCRIPT, '--run', run, '--data', dirs.data, '--features', dirs.features, '--config', JSON.stringify(config), ...extra],
    { encoding: 'utf8' },
  );
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

describe.skipIf(!hasTorch)('training/attend.py', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'attend-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('resumes exactly: stopped every 3 steps (and snapshotted once), it ends with the weights of an unbroken run', () => {
    const dirs = makeDataOnce(root);
    train(path.join(root, 'whole'), dirs);
    let legs = 0;
    while (!existsSync(path.join(root, 'legs', 'weights.bin'))) {
      train(path.join(root, 'legs'), dirs, ['--leg-steps', '3']);
      if (++legs > 20) throw new Error('the run never finished');
      if (legs === 1) {
        // A snapshot of the best weights so far, beside the stopped run, must leave the run as it was.
        const progress = readFileSync(path.join(root, 'legs', 'progress.log'), 'utf8');
        train(path.join(root, 'legs'), dirs, ['--snapshot', path.join(root, 'snapshot')]);
        for (const file of ['weights.bin', 'weights.json', 'parity.json']) expect(existsSync(path.join(root, 'snapshot', file))).toBe(true);
        expect(readFileSync(path.join(root, 'legs', 'progress.log'), 'utf8')).toBe(progress);
      }
    }
    expect(legs).toBeGreaterThanOrEqual(3);
    const whole = readFileSync(path.join(root, 'whole', 'weights.bin'));
    expect(whole.length).toBeGreaterThan(1000);
    expect(readFileSync(path.join(root, 'legs', 'weights.bin')).equals(whole)).toBe(true);
    const progress = readFileSync(path.join(root, 'legs', 'progress.log'), 'utf8');
    expect(progress).toContain('"resumed_at_step"');
    expect(progress).toContain('"phase": "scst", "finished": true');
  }, 120_000);

  it('starts from exported weights (--init-weights, as unpack.ts writes them from a package) exactly', () => {
    const whole = path.join(root, 'whole');
    train(path.join(root, 'imported'), makeDataOnce(root), ['--init-weights', whole, '--phases', 'scst', '--leg-steps', '0']);
    train(path.join(root, 'imported'), makeDataOnce(root), ['--snapshot', path.join(root, 'imported-snapshot')]);
    expect(readFileSync(path.join(root, 'imported-snapshot', 'weights.bin')).equals(readFileSync(path.join(whole, 'weights.bin')))).toBe(true);
  }, 60_000);

  it('trains on one shard and the split\'s photos only, copying word rows by word from another vocabulary (a German warm start)', () => {
    const dirs = makeDataOnce(root);
    // One shard per split, as a single encoder (--shard 0/1) writes it.
    const features = path.join(root, 'one-shard');
    mkdirSync(features);
    for (const split of ['train', 'val']) {
      for (const ending of ['f32', 'files.txt', 'json']) copyFileSync(path.join(dirs.features, `${split}-0.${ending}`), path.join(features, `${split}-0.${ending}`));
    }
    const data = path.join(root, 'german');
    mkdirSync(data);
    const germanWords = ['<S>', '</S>', 'ein', 'hund', 'läuft', 'auf', 'dem', 'gras', 'dog', '.'];
    writeFileSync(path.join(data, 'word_counts.txt'), germanWords.map((word) => `${word} 10`).join('\n') + '\n');
    const captions = Object.fromEntries(['train-0-0', 'train-0-2', 'train-0-3', 'val-0-0', 'val-0-2'].map((name) => [`${name}.jpg`, ['ein hund läuft auf dem gras .']]));
    writeFileSync(path.join(data, 'captions.json'), JSON.stringify(captions));
    writeFileSync(path.join(data, 'split.json'), JSON.stringify({ train: ['train-0-0.jpg', 'train-0-2.jpg', 'train-0-3.jpg'], val: ['val-0-0.jpg', 'val-0-2.jpg'] }));
    // The English run's export with its vocabulary, as the driver unpacks the shipped package.
    const english = path.join(root, 'english');
    mkdirSync(english);
    for (const file of ['weights.json', 'weights.bin']) copyFileSync(path.join(root, 'whole', file), path.join(english, file));
    writeFileSync(path.join(english, 'word_counts.txt'), WORDS.map((word) => `${word} 10`).join('\n') + '\n');
    const run = path.join(root, 'german-run');
    const log = train(run, { data, features }, ['--init-weights', english, '--leg-steps', '0']);
    expect(log).toContain('"photos": {"train": 3, "val": 2}');
    expect(log).toContain('"words_copied": 5'); // <S>, </S>, dog, "." and the unknown word
    train(run, { data, features }, ['--snapshot', path.join(root, 'german-snapshot')]);
    const rows = (dir: string, size: number) => {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'weights.json'), 'utf8'));
      const bytes = readFileSync(path.join(dir, 'weights.bin'));
      const { offset, shape } = manifest.tensors['seq_embedding/map'];
      const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + shape[0] * shape[1] * 4));
      expect(shape[0]).toBe(size);
      return (row: number) => Array.from(values.slice(row * shape[1], (row + 1) * shape[1]));
    };
    const [before, after] = [rows(english, WORDS.length + 1), rows(path.join(root, 'german-snapshot'), germanWords.length + 1)];
    for (const word of ['<S>', '</S>', 'dog', '.']) expect(after(germanWords.indexOf(word)), word).toEqual(before(WORDS.indexOf(word)));
    expect(after(germanWords.length)).toEqual(before(WORDS.length)); // the unknown word
    expect(after(germanWords.indexOf('hund'))).not.toEqual(before(WORDS.indexOf('dog')));
  }, 60_000);

  it('trains a bilingual decoder: captions that begin with "<de>" start with it; validation and self-critical training take only those', () => {
    const dirs = makeDataOnce(root);
    const data = path.join(root, 'bilingual');
    mkdirSync(data);
    const words = [...WORDS, '<de>', 'hund', 'katze', 'läuft'];
    writeFileSync(path.join(data, 'word_counts.txt'), words.map((word) => `${word} 10`).join('\n') + '\n');
    writeFileSync(path.join(data, 'german_words.txt'), ['<de>', '</S>', 'hund', 'katze', 'läuft', '.'].join('\n') + '\n');
    const english: Record<string, string[]> = JSON.parse(readFileSync(path.join(dirs.data, 'captions.json'), 'utf8'));
    const captions = Object.fromEntries(
      // "on" is an English word: in a German caption it is the unknown word, as a German-only model would read it.
      Object.entries(english).map(([file, texts]) => [file, [...texts, `<de> ${texts[0].includes('dog') ? 'hund' : 'katze'} läuft on .`]]),
    );
    writeFileSync(path.join(data, 'captions.json'), JSON.stringify(captions));
    const run = path.join(root, 'bilingual-run');
    train(run, { data, features: dirs.features }, [], { ...CONFIG, language: 'de', target_start: '<de>', target_words: 'german_words.txt' });
    const progress = readFileSync(path.join(run, 'progress.log'), 'utf8');
    expect(progress).toContain('"phase": "scst", "finished": true');
    expect(existsSync(path.join(run, 'weights.bin'))).toBe(true);
    // The validation loss is over the German words: a few nats a word, not the masked words' -1e9.
    const losses = progress.split('\n').filter((line) => line.includes('"phase": "xe", "step"')).map((line) => JSON.parse(line).val as number);
    expect(losses.length).toBeGreaterThan(0);
    for (const loss of losses) expect(loss).toBeLessThan(10);
    // The package keeps the German words only, "<de>" first (the card's start word), and the unknown word.
    const kept = ['<de>', '</S>', 'hund', 'katze', 'läuft', '.'];
    expect(readFileSync(path.join(run, 'word_counts.txt'), 'utf8')).toBe(kept.map((word) => `${word} 10`).join('\n') + '\n');
    const manifest = JSON.parse(readFileSync(path.join(run, 'weights.json'), 'utf8'));
    expect(manifest.tensors['seq_embedding/map'].shape[0]).toBe(kept.length + 1);
    expect(manifest.tensors['logits/biases'].shape).toEqual([kept.length + 1]);
    const parity = JSON.parse(readFileSync(path.join(run, 'parity.json'), 'utf8'));
    expect(parity.inputFeed).toEqual([0, 0]);
    expect(parity.logProbs[0]).toHaveLength(kept.length + 1);
  }, 60_000);

  it('adds the detector\'s evidence to a finished run\'s cross-entropy weights: zero coefficients at first, so the same words; the export carries them', () => {
    // --snapshot-phase xe: the cross-entropy phase's best, not the run's self-critical result.
    const whole = path.join(root, 'whole');
    const crossEntropy = path.join(root, 'whole-xe');
    train(whole, makeDataOnce(root), ['--snapshot', crossEntropy, '--snapshot-phase', 'xe']);
    expect(readFileSync(path.join(crossEntropy, 'weights.bin')).equals(readFileSync(path.join(whole, 'weights.bin')))).toBe(false);
    const run = path.join(root, 'evidence');
    const snapshot = path.join(root, 'evidence-snapshot');
    const config = { ...CONFIG, evidence: true };
    train(run, makeDataOnce(root), ['--init-weights', crossEntropy, '--phases', 'scst', '--leg-steps', '0'], config);
    train(run, makeDataOnce(root), ['--snapshot', snapshot], config);
    const read = (dir: string) => {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'weights.json'), 'utf8'));
      const bytes = readFileSync(path.join(dir, 'weights.bin'));
      const tensor = (name: string) => {
        const { shape, offset } = manifest.tensors[name];
        const size = shape.reduce((a: number, b: number) => a * b, 1);
        return Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size * 4)));
      };
      return { manifest, tensor };
    };
    const [before, after] = [read(crossEntropy), read(snapshot)];
    for (const name of Object.keys(before.manifest.tensors)) expect(after.tensor(name), name).toEqual(before.tensor(name));
    expect(after.manifest.evidenceFloor).toBeCloseTo(0.01);
    expect(after.tensor('logits/evidence/weights').every((v) => v === 0)).toBe(true);
    // objects.json: "dog" and "cat" name COCO classes 16 and 15; the other words name none (80).
    const wordClasses = after.tensor('logits/word_classes');
    expect(Object.fromEntries(WORDS.map((word, i) => [word, wordClasses[i]]))).toMatchObject({ dog: 16, cat: 15, grass: 80, '<S>': 80 });
    const logProbs = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'parity.json'), 'utf8')).logProbs.flat() as number[];
    const expected = logProbs(crossEntropy);
    logProbs(snapshot).forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
  }, 60_000);
});
