import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { loadCaptioner, type Captioner } from '../../../src/captioner';
import { folderPackageFiles } from '../../../src/node/package-files';
import { initNodeBackend } from '../../../src/node/runtime';
import { makeFixtureModel, type FixtureOptions, type FixturePackage } from '../../../tools/fixture/make-fixture-model';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Generates the fixture model into a fresh folder under .cache/ (gitignored), never public/models. */
export async function generateFixture(options: FixtureOptions = {}): Promise<FixturePackage> {
  const parent = path.join(REPO_ROOT, '.cache', 'test-fixtures');
  await mkdir(parent, { recursive: true });
  return makeFixtureModel(await mkdtemp(path.join(parent, 'fixture-')), options);
}

const removeFolders = (folders: string[]) => Promise.all(folders.filter(Boolean).map((folder) => rm(folder, { recursive: true, force: true })));

/**
 * For the enclosing describe block: a fixture package and an empty folder beside it named SCRATCH-…,
 * made before its tests (and before the block's own beforeAll hooks that come later) and removed after them.
 * Read the fields inside tests and hooks.
 */
export function useFixtureFolders(scratch: string, options: FixtureOptions = {}): Readonly<{ modelDir: string; dir: string }> {
  const folders = { modelDir: '', dir: '' };
  beforeAll(async () => {
    folders.modelDir = (await generateFixture(options)).dir;
    folders.dir = await mkdtemp(path.join(path.dirname(folders.modelDir), `${scratch}-`));
  });
  afterAll(() => removeFolders([folders.modelDir, folders.dir]));
  return folders;
}

/** For the enclosing describe block: a captioner on the cpu backend from a fixture package in DIR, disposed and removed after its tests. */
export function useFixtureCaptioner(options: FixtureOptions = {}): Readonly<{ dir: string; captioner: Captioner }> {
  const loaded = { dir: '', captioner: undefined as unknown as Captioner };
  beforeAll(async () => {
    await initNodeBackend('cpu');
    loaded.dir = (await generateFixture(options)).dir;
    loaded.captioner = await loadCaptioner(folderPackageFiles(loaded.dir));
  });
  afterAll(async () => {
    loaded.captioner?.dispose();
    await removeFolders([loaded.dir]);
  });
  return loaded;
}

/** A uniform RGBA image of one grey level. */
export function greyImage(width: number, height: number, level: number) {
  return { width, height, data: new Uint8Array(width * height * 4).fill(level) };
}
