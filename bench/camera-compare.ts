/**
 * `npm run bench -- --camera [--against=<git ref>] [--rounds=N]`: the live camera alone on the bench's
 * camera video (bench/camera-video.ts), this build against another commit's build, alternated in one
 * run (round 1 the other build first, round 2 this one first, …), so both see the same load on the
 * machine. Each run is a fresh page that loads the model, starts the camera and measures it
 * (bench/camera.ts: captions per second, frame stages, the latency after each cut).
 */
import { execFileSync, execSync } from 'node:child_process';
import { mkdir, realpath, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from '@playwright/test';
import { startStaticServer } from '../e2e/static-server';
import { APP_SUB_PATH, publishSite } from '../e2e/static-site';
import { recordWorkerEvents } from './app-events';
import { measureCamera, watchCamera, type CameraReport } from './camera';

export interface CameraRun {
  build: string;
  round: number;
  camera: CameraReport | { skipped: string };
}

export interface CameraComparison {
  builds: string[];
  runs: CameraRun[];
  /** Per build: captions per second of each run, and the slowest frame-to-caption latency after a cut over all its runs. */
  summary: Record<string, { captionsPerSecond: number[]; worstCutMs: number | null; cuts: number; unansweredCuts: number }>;
}

/** The app as built at `ref` (git archive of that commit, this checkout's node_modules), published as a static site. */
export async function publishBuildOf(ref: string, workDir: string, log: (message: string) => void): Promise<string> {
  const sourceDir = path.join(workDir, 'source');
  const siteRoot = path.join(workDir, 'site');
  await rm(workDir, { recursive: true, force: true });
  await mkdir(sourceDir, { recursive: true });
  log(`building ${ref} for comparison…`);
  execSync(`git archive ${JSON.stringify(ref)} | tar -x -C ${JSON.stringify(sourceDir)}`, { stdio: 'inherit' });
  await symlink(await realpath('node_modules'), path.join(sourceDir, 'node_modules'));
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn', '--outDir', 'dist', '--emptyOutDir'], { cwd: sourceDir, stdio: 'inherit' });
  await publishSite({ distDir: path.join(sourceDir, 'dist'), siteRoot });
  return siteRoot;
}

async function cameraRun(browser: Browser, appUrl: string, seconds: number): Promise<CameraReport | { skipped: string }> {
  const context = await browser.newContext({ permissions: ['camera'] });
  try {
    const page = await context.newPage();
    await recordWorkerEvents(page);
    await watchCamera(page);
    await page.goto(appUrl);
    await page.waitForFunction(() => document.querySelector('[data-testid=model-status]')?.getAttribute('data-phase') === 'ready', null, { timeout: 300_000 });
    return await measureCamera(page, seconds);
  } finally {
    await context.close();
  }
}

/** Alternates the sites' cameras for `rounds` rounds. `sites` maps a build's label to its site root. */
export async function compareCameras(
  browser: Browser,
  sites: Record<string, string>,
  rounds: number,
  seconds: number,
  log: (message: string) => void,
): Promise<CameraComparison> {
  const servers = await Promise.all(Object.entries(sites).map(async ([build, root]) => ({ build, server: await startStaticServer(root) })));
  const runs: CameraRun[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 === 1 ? servers : [...servers].reverse();
      for (const { build, server } of order) {
        const camera = await cameraRun(browser, `${server.origin}${APP_SUB_PATH}`, seconds);
        runs.push({ build, round, camera });
        if ('skipped' in camera) log(`round ${round}, ${build}: skipped (${camera.skipped})`);
        else {
          const cuts = camera.cuts.map(({ frameToCaptionMs }) => (frameToCaptionMs === null ? 'none' : `${Math.round(frameToCaptionMs)} ms`)).join(', ');
          log(`round ${round}, ${build}: ${camera.captionsPerSecond.toFixed(2)} captions/s, encode ${camera.encodeMs.median.toFixed(0)} ms, search ${camera.searchMs.median.toFixed(0)} ms; after cuts: ${cuts}`);
        }
      }
    }
  } finally {
    await Promise.all(servers.map(({ server }) => server.close()));
  }
  const summary: CameraComparison['summary'] = {};
  for (const build of Object.keys(sites)) {
    const measured = runs.flatMap(({ build: b, camera }) => (b === build && !('skipped' in camera) ? [camera] : []));
    const cuts = measured.flatMap((camera) => camera.cuts);
    const answered = cuts.flatMap(({ frameToCaptionMs }) => (frameToCaptionMs === null ? [] : [frameToCaptionMs]));
    summary[build] = {
      captionsPerSecond: measured.map((camera) => Number(camera.captionsPerSecond.toFixed(2))),
      worstCutMs: answered.length > 0 ? Math.round(Math.max(...answered)) : null,
      cuts: cuts.length,
      unansweredCuts: cuts.length - answered.length,
    };
  }
  return { builds: Object.keys(sites), runs, summary };
}
