/**
 * Versioned model URLs for static hosting: every package listed in a models.json is moved into
 * `<id>/<content hash>/` and the hash recorded as the entry's "version". A changed model then has new
 * URLs, so hosts and CDNs may cache model files for ever; only models.json keeps a fixed URL. The
 * entry also gets the package's size in bytes, which the page states before a metered download.
 * Files shared between packages (the encoder's weights, models/encoders/…) stay where they are: their
 * names hold their content hash already, and each moved model.json's relative paths to them gain a "../".
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ModelListEntry } from '../../src/captioner/model-list';
import { readModelList, writeModelList } from '../graph/model-list.ts';
import { sharedFilesOf } from '../graph/package-files.ts';

/** Hex digits of the content hash: collisions between two versions of one model are not a concern. */
const VERSION_LENGTH = 12;

async function packageFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name).sort();
}

/** Hash of the package's file names and contents (model.json names the shared files by their content hash). */
export async function hashPackage(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of await packageFiles(dir)) hash.update(`${name}\0`).update(await readFile(path.join(dir, name)));
  return hash.digest('hex').slice(0, VERSION_LENGTH);
}

/** The bytes a browser downloads for the package: all its files and the shared files it names. */
export async function packageBytes(dir: string): Promise<number> {
  const files = [...(await packageFiles(dir)), ...(await sharedFilesOf(dir))];
  const sizes = await Promise.all(files.map(async (name) => (await stat(path.join(dir, name))).size));
  return sizes.reduce((total, size) => total + size, 0);
}

/** A model.json moved one folder down: its relative paths to shared files gain a "../". */
async function deepenSharedPaths(modelJsonFile: string): Promise<void> {
  const json = JSON.parse(await readFile(modelJsonFile, 'utf8')) as { weightsManifest?: { paths: string[] }[] };
  const groups = json.weightsManifest ?? [];
  if (!groups.some((group) => group.paths.some((file) => file.startsWith('../')))) return;
  for (const group of groups) group.paths = group.paths.map((file) => (file.startsWith('../') ? `../${file}` : file));
  await writeFile(modelJsonFile, JSON.stringify(json));
}

/** Versions every unversioned package in `modelsDir` (a build's models folder) and rewrites its models.json. */
export async function versionModelPackages(modelsDir: string): Promise<ModelListEntry[]> {
  const listFile = path.join(modelsDir, 'models.json');
  const list = await readModelList(listFile);
  const models: ModelListEntry[] = [];
  for (const entry of list.models) {
    const dir = path.join(modelsDir, entry.id);
    if (!existsSync(path.join(dir, 'model.json'))) {
      models.push(entry); // already versioned, or listed without a package here
      continue;
    }
    const version = await hashPackage(dir);
    const bytes = await packageBytes(dir);
    await mkdir(path.join(dir, version));
    for (const name of await packageFiles(dir)) await rename(path.join(dir, name), path.join(dir, version, name));
    await deepenSharedPaths(path.join(dir, version, 'model.json'));
    models.push({ ...entry, version, bytes });
  }
  if (list.models.length > 0) await writeModelList(listFile, { ...list, models });
  return models;
}
