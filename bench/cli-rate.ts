/**
 * The CLI's captioning pool (src/cli/caption-pool.ts) timed on a list of photos: for `npm run bench:cli`
 * and for the page's worker pool in `npm run bench`, which sets the page beside it on the same photos.
 */
import os from 'node:os';
import { CaptionPool } from '../src/cli/caption-pool';
import { captionerOptions } from '../src/cli/shared';

/** `npm run caption -- --jobs N` on the files: model loading in every thread, then photos per second and CPU time per photo. */
export async function measureCliJobs(jobs: number, files: string[]) {
  const loadAverageBefore = os.loadavg()[0];
  let started = performance.now();
  const pool = await CaptionPool.start(jobs, { options: captionerOptions({ backend: 'wasm' }), xmp: false });
  const startupSeconds = (performance.now() - started) / 1000;
  let failed = 0;
  started = performance.now();
  const cpuBefore = process.cpuUsage();
  // When each photo was done, by its index: with one job, photos run one after another.
  const doneAtMs: number[] = [];
  await pool.caption(files, (index, row) => {
    doneAtMs[index] = performance.now() - started;
    if ('error' in row) failed++;
  });
  const captionSeconds = (performance.now() - started) / 1000;
  // User + system time of every thread of this process: what one photo costs, however busy the machine is.
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await pool.close();
  return {
    jobs,
    model: pool.model.modelName,
    backend: pool.model.backend,
    photos: files.length,
    failed,
    startupSeconds,
    captionSeconds,
    photosPerSecond: files.length / captionSeconds,
    cpuSecondsPerPhoto: cpuSeconds / files.length,
    doneAtMs,
    /** Cores kept busy on average (at most `jobs`; less when other work shares the machine). */
    coresUsed: cpuSeconds / captionSeconds,
    loadAverage: { before: loadAverageBefore, after: os.loadavg()[0] },
  };
}
