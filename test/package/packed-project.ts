/**
 * The npm package as a user gets it: `npm pack` (which builds it, prepack) and the tarball installed
 * into an empty project, its dependencies from the registry (the npm cache makes that quick). Made
 * once for the sources as they are: the unit tests and the e2e spec that use it share one install.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../unit/helpers/fixture';

const run = promisify(execFile);

export const PACKAGE_DIR = path.join(REPO_ROOT, '.cache/package');
/** Outside the repository, so that nothing resolves from its node_modules (Node looks in every parent folder). */
export const PROJECT_DIR = path.join(os.tmpdir(), `show-and-tell-browser-user-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 8)}`);
/** The installed package inside the project. */
export const INSTALLED_DIR = path.join(PROJECT_DIR, 'node_modules/show-and-tell-browser');

export interface PackedProject {
  tarball: string;
  project: string;
}

/** What the package is built from; a change to any of it packs again. */
const SOURCES = ['package.json', 'src', 'tools/build', 'public/models'];

async function sourcesStamp(): Promise<string> {
  const hash = createHash('sha256');
  for (const source of SOURCES) {
    const full = path.join(REPO_ROOT, source);
    const entries = (await stat(full)).isDirectory() ? (await readdir(full, { recursive: true })).sort().map((entry) => path.join(full, entry)) : [full];
    for (const entry of entries) {
      const { size, mtimeMs } = await stat(entry);
      hash.update(`${entry} ${size} ${mtimeMs}\n`);
    }
  }
  return hash.digest('hex');
}

async function pack(): Promise<string> {
  await rm(PACKAGE_DIR, { recursive: true, force: true });
  await mkdir(PACKAGE_DIR, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', PACKAGE_DIR], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
  // prepack's build logs come first; npm's JSON report is the last thing printed.
  const report = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[') + 1)) as { filename: string }[];
  return path.join(PACKAGE_DIR, report[0].filename);
}

/** Installs `spec` (a tarball path or a registry spec) into a new empty project at `dir`. */
export async function installInto(dir: string, spec: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'packed-package-user', private: true, type: 'module' }, null, 2));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', spec], { cwd: dir });
}

const LOCK_DIR = `${PACKAGE_DIR}.lock`;
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 15 * 60_000;

/** Runs `work` while holding a lock between processes (test files run in parallel, each may need the package). */
async function whileLocked<T>(work: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(LOCK_DIR), { recursive: true });
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      break;
    } catch {
      const lockedAt = (await stat(LOCK_DIR).catch(() => null))?.mtimeMs;
      if (lockedAt !== undefined && Date.now() - lockedAt > STALE_LOCK_MS) await rm(LOCK_DIR, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK_DIR, { recursive: true, force: true });
  }
}

/** The packed tarball and a project with it installed: made now, or kept from an earlier call for the same sources. */
export function packedProject(): Promise<PackedProject> {
  return whileLocked(packOnce);
}

async function packOnce(): Promise<PackedProject> {
  const stamp = await sourcesStamp();
  const stampFile = path.join(PACKAGE_DIR, 'sources.sha256');
  const tarballFile = path.join(PACKAGE_DIR, 'tarball.txt');
  if (existsSync(INSTALLED_DIR) && (await readFile(stampFile, 'utf8').catch(() => '')) === stamp) {
    return { tarball: await readFile(tarballFile, 'utf8'), project: PROJECT_DIR };
  }
  const tarball = await pack();
  await installInto(PROJECT_DIR, tarball);
  await writeFile(tarballFile, tarball);
  await writeFile(stampFile, stamp);
  return { tarball, project: PROJECT_DIR };
}
