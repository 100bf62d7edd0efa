/**
 * `npm run bench:cli [-- --photos N]`: photos per second of `npm run caption` with 1 and with 2
 * captioning threads (--jobs), on the first N (default 80) photos of ../shared/data/photos, or on the
 * three @stdlib photos repeated when that folder is absent (labelled as such). Uses the default model
 * of public/models. Each figure covers loading the model in every thread (startup) and then reading,
 * decoding and captioning every photo (rate), with the CPU time per photo and the cores kept busy: on
 * a machine shared with other work, those show whether a shortfall is the threads' or the machine's. Prints a table and the JSON report; writes
 * .cache/bench/cli.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { measureCliJobs } from './cli-rate';
import { benchPhotos } from './photo-set';

const { values } = parseArgs({ options: { photos: { type: 'string', default: '80' } } });
const PHOTO_COUNT = Number(values.photos);
const JOBS = [1, 2];
const TARGET_SPEEDUP = 1.7;


const { files, source } = await benchPhotos(PHOTO_COUNT);
console.error(`${files.length} photos from ${source}; ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'})`);
const runs = [];
for (const jobs of JOBS) {
  const result = await measureCliJobs(jobs, files);
  console.error(
    `--jobs ${jobs}: ${result.photosPerSecond.toFixed(2)} photos/s (${result.photos} photos in ${result.captionSeconds.toFixed(1)} s, ` +
      `${result.cpuSecondsPerPhoto.toFixed(2)} CPU s/photo, ${result.coresUsed.toFixed(2)} cores busy, ` +
      `model loaded in ${result.startupSeconds.toFixed(1)} s; load average ${result.loadAverage.before.toFixed(1)} → ${result.loadAverage.after.toFixed(1)})`,
  );
  runs.push(result);
}
const speedup = runs[1].photosPerSecond / runs[0].photosPerSecond;
const report = {
  startedAt: new Date().toISOString(),
  machine: `${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
  source,
  runs,
  targets: {
    jobsSpeedup: { target: `--jobs 2 >= ${TARGET_SPEEDUP}x --jobs 1`, measured: `${speedup.toFixed(2)}x`, met: speedup >= TARGET_SPEEDUP },
  },
};
console.error(`--jobs 2 / --jobs 1: ${speedup.toFixed(2)}x (target ${TARGET_SPEEDUP}x: ${speedup >= TARGET_SPEEDUP ? 'met' : 'not met'})`);
await mkdir('.cache/bench', { recursive: true });
await writeFile('.cache/bench/cli.json', JSON.stringify(report, null, 2) + '\n');
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
