import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeGraphDef } from '../../tools/convert/graphdef';
import { buildTestGraph, createTestWeights, differencesFromReference, EXPECTED_CAPTION, referenceCaptions, TEST_WORD_COUNTS } from './im2txt-test-graph';

const run = promisify(execFile);
const weights = createTestWeights(4, { captionChain: true });
/** A photo of one grey level, whose model input the reference knows without resizing it. */
const GREY = 90;

let workDir: string;
let graph: string;
let vocab: string;
let photo: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'convert-cli-'));
  graph = path.join(workDir, 'show-and-tell.pb');
  vocab = path.join(workDir, 'word_counts.txt');
  photo = path.join(workDir, 'grey.png');
  await writeFile(graph, encodeGraphDef(buildTestGraph(weights)));
  await writeFile(vocab, TEST_WORD_COUNTS);
  const png = new PNG({ width: 64, height: 48 });
  png.data.fill(GREY);
  for (let alpha = 3; alpha < png.data.length; alpha += 4) png.data[alpha] = 255;
  await writeFile(photo, PNG.sync.write(png));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

it("npm run convert, then npm run caption on the package it wrote: the reference's captions and p", { timeout: 120_000 }, async () => {
  const out = path.join(workDir, 'models', 'im2txt');
  const converted = await run('npm', ['run', '--silent', 'convert', '--', '--graph', graph, '--vocab', vocab, '--out', out, '--quantize', 'float16']);
  expect(converted.stdout).toMatch(/converted .*show-and-tell\.pb in [\d.]+ s/);
  expect(converted.stdout).toContain('image input: 12×12');
  expect(JSON.parse(await readFile(path.join(workDir, 'models', 'models.json'), 'utf8')).default).toBe('im2txt');

  const captioned = await run('npm', ['run', '--silent', 'caption', '--', '--model', out, '--json', photo]);
  const [result] = JSON.parse(captioned.stdout) as { captions: { text: string; p: number }[] }[];
  expect(result.captions[0].text).toBe(EXPECTED_CAPTION.join(' '));
  expect(differencesFromReference(result.captions, referenceCaptions(weights, GREY))).toEqual([]);
});

it('npm run convert fails with a clear message and exit code 1 on a missing endpoint', { timeout: 60_000 }, async () => {
  const broken = path.join(workDir, 'broken.pb');
  await writeFile(broken, encodeGraphDef(buildTestGraph(createTestWeights(1), { omit: ['input_feed'] })));
  const out = path.join(workDir, 'broken-models', 'im2txt');
  const failure = await run('npm', ['run', '--silent', 'convert', '--', '--graph', broken, '--vocab', vocab, '--out', out]).catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining('convert: the graph lacks im2txt endpoint nodes: input_feed') });
  await expect(stat(path.dirname(out))).rejects.toThrow(/ENOENT/);
});

it('npm run convert names an op the app cannot run, with its node, and exits with code 1', { timeout: 60_000 }, async () => {
  const unsupported = path.join(workDir, 'unsupported.pb');
  await writeFile(unsupported, encodeGraphDef(buildTestGraph(weights, { replaceOps: { 'lstm/basic_lstm_cell_1/Tanh_1': 'Erfinv' } })));
  const out = path.join(workDir, 'unsupported-models', 'im2txt');
  const failure = await run('npm', ['run', '--silent', 'convert', '--', '--graph', unsupported, '--vocab', vocab, '--out', out]).catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect(failure).toMatchObject({ code: 1 });
  expect((failure as { stderr: string }).stderr).toContain('convert: the graph needs ops that tfjs cannot run:\n  Erfinv: lstm/basic_lstm_cell_1/Tanh_1\n');
  await expect(stat(path.dirname(out))).rejects.toThrow(/ENOENT/);
});
