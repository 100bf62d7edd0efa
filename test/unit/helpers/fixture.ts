import { mkdir, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFixtureModel, type FixtureOptions, type FixturePackage } from '../../../tools/fixture/make-fixture-model';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Generates the fixture model into a fresh folder under .cache/ (gitignored), never public/models. */
export async function generateFixture(options: FixtureOptions = {}): Promise<FixturePackage> {
  const parent = path.join(REPO_ROOT, '.cache', 'test-fixtures');
  await mkdir(parent, { recursive: true });
  return makeFixtureModel(await mkdtemp(path.join(parent, 'fixture-')), options);
}

/** A uniform RGBA image of one grey level. */
export function greyImage(width: number, height: number, level: number) {
  return { width, height, data: new Uint8Array(width * height * 4).fill(level) };
}
