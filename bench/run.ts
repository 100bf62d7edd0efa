/**
 * `npm run bench [-- --quick]`: builds the app for production, serves it from a sub-path with a plain
 * static server and measures it in headless Chromium: download size and time to ready (cold and from
 * cache), captions in the app, webcam captions per second (when the app has a camera), then the
 * pipeline stage by stage on webgl, wasm and cpu (bench/harness). Prints the JSON report and writes
 * .cache/bench/report.{json,html,png}. Uses the default model of public/models/models.json, or the
 * generated test fixture (labelled as such) when there is none.
 * `--app-only` measures just the app (cold start, photos, camera) into report-app.json, to iterate on it.
 * `--pool` measures just the worker pool (bench/pool.ts) into report-pool.json: a batch of real-size
 * photos with 1, 2 and the automatic number of workers beside the CLI's --jobs 1 and 2, page/CLI ratios
 * per photo size, memory per worker, the camera; `--baseline-dist=DIR [--pool-rounds=N]` instead runs
 * the automatic page on that other build and on this one in turn.
 * `--fixture` uses the generated test fixture instead of the installed model (labelled as such).
 * `--library` runs only the photo-library stage (memory and page elements over 1,000 photos) into report-library.json.
 * `--soak [--soak-minutes=N]` runs only the camera soak (10 minutes unless told) into report-soak.json.
 * `--camera [--against=<git ref>] [--rounds=N]` runs only the live camera on a 640×480 video of a busy office
 * that cuts to a harbour and back (bench/camera-video.ts), alternated with the build of that commit: captions
 * per second and the latency after each cut, into report-camera.json.
 * `--first-visit` runs only the first visit on an emulated 10 Mbit/s, 40 ms link (bench/first-visit.ts):
 * each file sent before the first caption, over the wire (text gzip-compressed), into report-first-visit.json.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import { chromiumLaunchOptions, SOFTWARE_WEBGL_ARGS } from '../e2e/browser';
import { dropFiles } from '../e2e/helpers';
import { startStaticServer, type ServedFile, type StaticServer } from '../e2e/static-server';
import { APP_SUB_PATH, publishSite } from '../e2e/static-site';
import { makeFixtureModel } from '../tools/fixture/make-fixture-model';
import { readModelList, registerModel, writeModelList } from '../tools/graph/model-list';
import { BACKENDS, type BackendName, type JobStages } from '../src/worker/protocol';
import { chunksLoadedWith, readWorkerChunks } from '../tools/build/worker-chunks';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from '../tools/csp/content-security-policy';
import { chartHtml } from './chart';
import type { BackendReport, DecoderReport, Distribution, HarnessConfig } from './report-types';
import { benchCameraSoak } from './camera-soak';
import { benchPhotoLibrary, type LibraryReport } from './library';
import { distribution } from './stats';
import { recordWorkerEvents } from './app-events';
import { benchWorkerPool, poolTargets, type PoolReport } from './pool';
import { SHARED_PHOTOS, STDLIB_PHOTOS } from './photo-set';
import { REAL_SIZES, realSizePhotos } from './real-size-photos';
import { COUNTED, measureCamera, watchCamera, type CameraReport } from './camera';
import { CAMERA_VIDEO, writeCameraVideo } from './camera-video';
import { compareCameras, publishBuildOf } from './camera-compare';
import { fakeCameraArgs } from '../e2e/fake-camera';
import { benchPackageSize, type PackageSizeReport } from './package-size';
import { benchFirstVisit, type FirstVisitReport } from './first-visit';

const QUICK = process.argv.includes('--quick');
/** Only the app's own path (cold start, photos, camera): quick to repeat while working on it. */
const APP_ONLY = process.argv.includes('--app-only');
const POOL_ONLY = process.argv.includes('--pool');
/** Only the photo library stage, or only the camera soak (bench/camera-soak.ts). */
const LIBRARY_ONLY = process.argv.includes('--library');
const SOAK = process.argv.includes('--soak');
const FIRST_VISIT_ONLY = process.argv.includes('--first-visit');
const optionValue = (name: string) => process.argv.find((argument) => argument.startsWith(`--${name}=`))?.split('=')[1];
/** `--pool --baseline-dist=DIR`: another build of the app (`vite build` of an earlier commit) to compare with, in the same run. */
const BASELINE_DIST = optionValue('baseline-dist') ?? null;
/** With a baseline: how many times the automatic page runs on each build, alternating. */
const POOL_ROUNDS = Number(optionValue('pool-rounds') ?? 2);
/** Only the live camera on the bench's camera video, this build alternated with the build of --against=<git ref> when given. */
const CAMERA_ONLY = process.argv.includes('--camera');
const CAMERA_AGAINST = optionValue('against');
const CAMERA_ROUNDS = Number(optionValue('rounds') ?? 3);
const SOAK_MINUTES = Number(optionValue('soak-minutes') ?? 10);
const OUT_DIR = path.resolve('.cache/bench');
const SITE_ROOT = path.join(OUT_DIR, 'site');
const SETTINGS = { beamSize: 3, maxLength: 20 };
const PHOTO_COUNT = QUICK ? 6 : 24;
const WEBCAM_SECONDS = QUICK ? 5 : 15;
/** The fake camera's video: 640×480, a busy office cut to a harbour and back (bench/camera-video.ts). */
const CAMERA_VIDEO_FILE = path.join(OUT_DIR, 'camera-office.y4m');
/** Memory and page elements after the first photos vs after a library's worth, dropped in the app. */
const LIBRARY_PHOTOS = { first: 30, all: QUICK ? 100 : 1000 };

export interface BenchReport {
  startedAt: string;
  machine: string;
  quick: boolean;
  model: { id: string; name: string; fixture: boolean; note?: string };
  settings: typeof SETTINGS;
  app: AppReport;
  library: LibraryReport;
  backends: BackendReport[];
  pool: PoolReport;
  /** The npm package: tarball and installed sizes, npx time (bench/package-size.ts). */
  packageSize: PackageSizeReport;
  /** The first visit on an emulated 10 Mbit/s, 40 ms link (bench/first-visit.ts). */
  firstVisit: FirstVisitReport;
  targets: Record<string, { target: string; measured: string; met: boolean }>;
}

interface AppReport {
  backend: string;
  backendReason: string;
  /** WebAssembly threads the app ran with (null off wasm). */
  wasmThreads: number | null;
  /** Bytes of JavaScript the worker loads on each backend: its own chunk and that backend's, with what they import. */
  workerScriptBytes: Record<BackendName, number>;
  /** Unique files the first visit fetched (page, worker, service worker precache), raw and as gzip would send them. */
  firstVisit: { uniqueBytes: number; uniqueGzipBytes: number; modelBytes: number; servedBytes: number };
  /** readyMs on the page's clock (the last page, after any reload into isolation); wallMs from the first navigation. */
  cold: { readyMs: number; wallMs: number; modelOrigin: string; crossOriginIsolated: boolean };
  fromCache: { readyMs: number; modelOrigin: string; servedBytes: number };
  photos: AppPhotosReport;
  webcam: CameraReport | { skipped: string };
}

/** Photos dropped on the app at once, and where their time went. */
interface AppPhotosReport {
  photos: number;
  /** Drop → last caption, divided by the photo count: what the page gives per photo. */
  perPhotoMs: number;
  /** Drop (the event reaching the page) → the worker starting the first photo: reading it on the page, the message. */
  dropToFirstJobMs: number;
  /** Workers inside jobs on average, first job started → last job done (1: one worker that never waited for a photo; the pool's helpers add theirs). */
  workersBusy: number;
  /** Page thread: reading each photo (src/services/read-photo.ts: its bytes checked; only HEIC decoded, in the HEIC worker). */
  readPhotoMs: Distribution;
  /** Worker, per photo (JobStages): decoding the file to the size the model needs, the card's thumbnail, bitmap → pixels, preprocessing + encoder, beam search. */
  decodeMs: Distribution;
  thumbnailMs: Distribution;
  pixelsMs: Distribution;
  encodeMs: Distribution;
  searchMs: Distribution;
  /** job-started → job-done as the page sees it: the worker's time plus the messages. */
  workerMs: Distribution;
  /** job-started → first partial captions. */
  firstHypothesisMs: Distribution;
  updatesPerPhoto: number;
  /** Each photo in the worker, in the order they ran: the first pays for the first image of its size. */
  jobs: ({ workerMs: number } & JobStages)[];
  readBackBytesPerStep: number[];
  /** CPU time per photo while the photos were captioned: the page's main thread (of it: script, layout + style), and the whole renderer process. */
  cpuPerPhotoMs: { mainThread: number; script: number; layoutAndStyle: number; process: number };
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function build(): void {
  log('building the app (production) and the harness…');
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn', '--outDir', path.join(OUT_DIR, 'app'), '--emptyOutDir'], { stdio: 'inherit' });
  if (!POOL_ONLY && !FIRST_VISIT_ONLY && !CAMERA_ONLY) execFileSync('npx', ['vite', 'build', '--config', 'bench/vite.config.ts'], { stdio: 'inherit' });
}

/** `--fixture`: the generated test fixture even where a real model is installed (for stages about the page, not the model). */
const FIXTURE = process.argv.includes('--fixture');

/** The default model from public/models, or the generated fixture when none is installed (or with --fixture). */
async function chooseModel(): Promise<{ extraModelsDir?: string; note?: string }> {
  const list = await readModelList('public/models/models.json');
  if (!FIXTURE && list.default && existsSync(path.join('public/models', list.default, 'model.json'))) return {};
  const modelsDir = path.join(OUT_DIR, 'fixture-models');
  await rm(modelsDir, { recursive: true, force: true });
  const scratch = path.join(modelsDir, '.generating');
  const { card } = await makeFixtureModel(scratch);
  await rename(scratch, path.join(modelsDir, card.id));
  await writeModelList(path.join(modelsDir, 'models.json'), registerModel({ models: [] }, card));
  const why = FIXTURE ? 'Run with --fixture' : 'No default model in public/models';
  return { extraModelsDir: modelsDir, note: `${why}: these figures are for the generated test fixture, not a real captioning model.` };
}

async function photoFiles(): Promise<string[]> {
  const shared = existsSync(SHARED_PHOTOS) ? (await readdir(SHARED_PHOTOS)).filter((name) => name.endsWith('.jpg')).sort() : [];
  // An even spread over the folder, so the set is the same on every run.
  const wanted = Math.max(0, PHOTO_COUNT - STDLIB_PHOTOS.length);
  const picked = Array.from({ length: Math.min(wanted, shared.length) }, (_, index) => shared[Math.floor((index * shared.length) / wanted)]);
  return [...STDLIB_PHOTOS, ...picked.map((name) => path.join(SHARED_PHOTOS, name))];
}

async function readyMs(page: Page): Promise<number> {
  await page.waitForFunction(() => performance.getEntriesByName('model-ready').length > 0, null, { timeout: 300_000 });
  return page.evaluate(() => performance.getEntriesByName('model-ready')[0].startTime);
}

const sum = (files: ServedFile[]) => files.reduce((total, file) => total + file.bytes, 0);

async function uniqueBytes(files: ServedFile[]): Promise<{ raw: number; gzip: number }> {
  const unique = [...new Map(files.map((served) => [served.file, served])).values()];
  let gzip = 0;
  for (const served of unique) gzip += gzipSync(await readFile(served.file)).length;
  return { raw: sum(unique), gzip };
}

/**
 * CPU time totals of the page, in ms (Chrome DevTools Protocol Performance.getMetrics): its main
 * thread, and its whole renderer process (workers, image decoding, the model's threads included).
 */
async function cpuTotals(cdp: CDPSession): Promise<{ mainThread: number; script: number; layoutAndStyle: number; process: number }> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const ms = (name: string) => (metrics.find((metric) => metric.name === name)?.value ?? 0) * 1000;
  return { mainThread: ms('ThreadTime'), script: ms('ScriptDuration'), layoutAndStyle: ms('LayoutDuration') + ms('RecalcStyleDuration'), process: ms('ProcessTime') };
}

async function captionPhotosInApp(page: Page, files: string[]): Promise<AppPhotosReport> {
  const photos = files.map((file, index) => ({ name: `${index}-${path.basename(file)}`, mimeType: 'image/jpeg', base64: readFileSync(file).toString('base64') }));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const before = await cpuTotals(cdp);
  await dropFiles(page, photos);
  await page.waitForFunction((count) => window.benchEvents.filter(({ event }) => event.type === 'job-done').length >= count, photos.length, { timeout: 900_000 });
  const after = await cpuTotals(cdp);
  const events = await page.evaluate(() => window.benchEvents);
  const droppedAt = await page.evaluate(() => window.benchDrops[0]);
  const readPhotoMs = await page.evaluate(() => window.benchReadPhotoMs);
  const jobs = new Map<string, { startedAt: number; firstAt?: number; doneAt?: number; updates: number; stages?: JobStages }>();
  const readBack: number[] = [];
  for (const { at, event } of events) {
    if (event.type === 'job-started') jobs.set(event.jobId, { startedAt: at, updates: 0 });
    const job = 'jobId' in event ? jobs.get(event.jobId) : undefined;
    if (!job) continue;
    if (event.type === 'job-hypotheses') {
      job.firstAt ??= at;
      job.updates++;
      readBack.push(event.beam.readBackBytes);
    }
    if (event.type === 'job-done') {
      job.doneAt = at;
      job.stages = event.stages;
    }
  }
  const done = [...jobs.values()];
  const perPhoto = (total: number) => total / photos.length;
  const firstStartedAt = Math.min(...done.map((job) => job.startedAt));
  const lastDoneAt = Math.max(...done.map((job) => job.doneAt!));
  const insideJobs = done.reduce((total, job) => total + job.doneAt! - job.startedAt, 0);
  return {
    photos: photos.length,
    perPhotoMs: perPhoto(lastDoneAt - droppedAt),
    dropToFirstJobMs: firstStartedAt - droppedAt,
    workersBusy: insideJobs / (lastDoneAt - firstStartedAt),
    readPhotoMs: distribution(readPhotoMs),
    decodeMs: distribution(done.map((job) => job.stages!.decodeMs)),
    thumbnailMs: distribution(done.map((job) => job.stages!.thumbnailMs)),
    pixelsMs: distribution(done.map((job) => job.stages!.pixelsMs)),
    encodeMs: distribution(done.map((job) => job.stages!.encodeMs)),
    searchMs: distribution(done.map((job) => job.stages!.searchMs)),
    workerMs: distribution(done.map((job) => job.doneAt! - job.startedAt)),
    firstHypothesisMs: distribution(done.map((job) => job.firstAt! - job.startedAt)),
    updatesPerPhoto: perPhoto(done.reduce((total, job) => total + job.updates, 0)),
    jobs: done.map((job) => ({ workerMs: job.doneAt! - job.startedAt, ...job.stages! })),
    readBackBytesPerStep: [...new Set(readBack)].sort((a, b) => a - b),
    cpuPerPhotoMs: {
      mainThread: perPhoto(after.mainThread - before.mainThread),
      script: perPhoto(after.script - before.script),
      layoutAndStyle: perPhoto(after.layoutAndStyle - before.layoutAndStyle),
      process: perPhoto(after.process - before.process),
    },
  };
}

/** Each backend is a chunk the worker imports when it starts (src/worker/backend.ts); the build records the chunks' imports. */
async function workerScriptBytes(): Promise<Record<BackendName, number>> {
  const chunks = await readWorkerChunks(path.join(OUT_DIR, 'app'), 'captioner.worker');
  const bytesOn = (backend: BackendName) => chunksLoadedWith(chunks, `${backend}-backend`).reduce((total, chunk) => total + chunk.bytes, 0);
  const bytes = Object.fromEntries(BACKENDS.map((backend) => [backend, bytesOn(backend)])) as Record<BackendName, number>;
  log(`worker JavaScript per backend: ${JSON.stringify(bytes)}`);
  return bytes;
}

async function benchApp(browser: Browser, server: StaticServer, photoFiles: string[]): Promise<AppReport> {
  const context = await browser.newContext({ permissions: ['camera'] });
  const page = await context.newPage();
  await recordWorkerEvents(page);
  await watchCamera(page);
  server.takeLog();
  const navigatedAt = performance.now();
  await page.goto(`${server.origin}${APP_SUB_PATH}`);
  const coldReadyMs = await readyMs(page);
  const coldWallMs = performance.now() - navigatedAt;
  const backend = (await page.getByTestId('backend').textContent()) ?? '?';
  const backendReason = (await page.getByTestId('backend-reason').textContent()) ?? '';
  const coldOrigin = (await page.getByTestId('model-origin').getAttribute('data-origin')) ?? '?';
  const threads = page.getByTestId('wasm-threads');
  const wasmThreads = (await threads.count()) > 0 ? Number(await threads.getAttribute('data-threads')) : null;
  const crossOriginIsolated = await page.evaluate(() => window.crossOriginIsolated);
  log(`cold start: ready after ${Math.round(coldWallMs)} ms on ${backend}${wasmThreads ? ` with ${wasmThreads} thread(s)` : ''}, isolated: ${crossOriginIsolated}`);
  const photos = await captionPhotosInApp(page, photoFiles);
  log(`app: ${photos.photos} photos, ${Math.round(photos.perPhotoMs)} ms per photo`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  const firstVisit = server.takeLog();
  const unique = await uniqueBytes(firstVisit);
  const modelBytes = sum([...new Map(firstVisit.filter((file) => /\/models\/[^/]+\/[^/]+\//.test(file.urlPath)).map((file) => [file.urlPath, file])).values()]);

  await page.reload();
  const cachedReadyMs = await readyMs(page);
  const cachedOrigin = (await page.getByTestId('model-origin').getAttribute('data-origin')) ?? '?';
  const fromCacheServed = sum(server.takeLog());
  log(`from cache: ready after ${Math.round(cachedReadyMs)} ms (${cachedOrigin})`);
  const webcam = await measureCamera(page, WEBCAM_SECONDS);
  await context.close();
  return {
    backend,
    backendReason,
    wasmThreads,
    workerScriptBytes: await workerScriptBytes(),
    firstVisit: { uniqueBytes: unique.raw, uniqueGzipBytes: unique.gzip, modelBytes, servedBytes: sum(firstVisit) },
    cold: { readyMs: coldReadyMs, wallMs: coldWallMs, modelOrigin: coldOrigin, crossOriginIsolated },
    fromCache: { readyMs: cachedReadyMs, modelOrigin: cachedOrigin, servedBytes: fromCacheServed },
    photos,
    webcam,
  };
}

/** The harness runs: each backend, and WebAssembly once per thread count. */
const HARNESS_RUNS: { backend: BackendName; threads: number | null }[] = [
  { backend: 'webgl', threads: null },
  { backend: 'wasm', threads: 1 },
  { backend: 'wasm', threads: 2 },
  { backend: 'cpu', threads: null },
  // Software WebGPU (SwiftShader, --enable-unsafe-webgpu): for correctness and a figure, not a speed a GPU would give.
  { backend: 'webgpu', threads: null },
];

async function benchBackends(browser: Browser, server: StaticServer, modelUrl: string, photoUrls: string[]): Promise<BackendReport[]> {
  const config: Omit<HarnessConfig, 'threads'> = {
    modelUrl,
    photoUrls,
    photoCount: PHOTO_COUNT,
    photoBudgetMs: (QUICK ? 20 : 150) * 1000,
    memoryCaptions: QUICK ? 20 : 200,
    memoryBudgetMs: (QUICK ? 10 : 60) * 1000,
    ...SETTINGS,
  };
  const reports: BackendReport[] = [];
  for (const { backend, threads } of HARNESS_RUNS) {
    // A fresh page per run, so one backend's memory never counts against the next (and a new wasm thread pool).
    const page = await browser.newPage();
    const label = `${backend}${threads ? ` (${threads} thread${threads > 1 ? 's' : ''})` : ''}`;
    page.on('console', (message) => message.type() === 'error' && log(`${label} page: ${message.text()}`));
    await page.goto(`${server.origin}/bench/`);
    log(`${label}: running the pipeline…`);
    try {
      reports.push(await page.evaluate(([name, settings]) => window.bench.run(name, settings), [backend, { ...config, threads }] as [BackendName, HarnessConfig]));
    } catch (error) {
      reports.push({ backend, threads, skipped: String(error) } as BackendReport);
    }
    await page.close();
  }
  return reports;
}

/**
 * Per photo, the page keeps its captions and settings; its card exists only while near the window
 * (the list is virtualised), its thumbnail is in IndexedDB, and the photo itself (~3 MB decoded) must not stay.
 */
const MAX_HEAP_BYTES_PER_PHOTO = 2_000;
/** Page elements after a library's worth of photos, against after the first ones. */
const MAX_DOM_NODES_RATIO = 1.2;

function libraryTargets(library: LibraryReport): BenchReport['targets'] {
  const domRatio = library.all.domNodes / library.first.domNodes;
  return {
    libraryMemory: {
      target: `memory flat over ${library.all.photos} photos: JS heap ≤ ${MAX_HEAP_BYTES_PER_PHOTO / 1000} kB per photo, tensors unchanged`,
      measured: `JS heap ${(library.first.jsHeapBytes / 1e6).toFixed(1)} MB after ${library.first.photos} → ${(library.all.jsHeapBytes / 1e6).toFixed(1)} MB after ${library.all.photos} (${(library.heapBytesPerPhoto / 1000).toFixed(2)} kB per photo); tensors ${library.first.tensors} → ${library.all.tensors}; thumbnails ${(library.all.thumbnailBytes / 1e6).toFixed(2)} MB`,
      met: library.heapBytesPerPhoto <= MAX_HEAP_BYTES_PER_PHOTO && library.all.tensors === library.first.tensors,
    },
    libraryDomNodes: {
      target: `page elements after ${library.all.photos} photos ≤ ${MAX_DOM_NODES_RATIO} × after ${library.first.photos}`,
      measured: `${library.first.domNodes} → ${library.all.domNodes} (${domRatio.toFixed(2)}×)`,
      met: domRatio <= MAX_DOM_NODES_RATIO,
    },
  };
}

function checkTargets(app: AppReport, library: LibraryReport, backends: BackendReport[]): BenchReport['targets'] {
  const webgl = backends.find((report) => report.backend === 'webgl' && !report.skipped);
  const maxReadBack = SETTINGS.beamSize * SETTINGS.beamSize * 8;
  const targets: BenchReport['targets'] = {
    totalDownload: { target: '≤ 8 MB (app + model)', measured: `${(app.firstVisit.uniqueBytes / 1e6).toFixed(2)} MB raw, ${(app.firstVisit.uniqueGzipBytes / 1e6).toFixed(2)} MB gzipped`, met: app.firstVisit.uniqueBytes <= 8e6 },
    ...libraryTargets(library),
  };
  const wasm = backends.find((report) => report.backend === 'wasm' && !report.skipped);
  if (wasm?.decoder.grounded) {
    const stepMs = (decoder: DecoderReport) => decoder.beamSearchMs.median / decoder.steps.median;
    const added = stepMs(wasm.decoder.grounded) - stepMs(wasm.decoder.topK);
    targets.groundingPerStepWasm = {
      target: 'grounding adds ≤ 2 ms per beam step (wasm)',
      measured: `${added.toFixed(2)} ms (${stepMs(wasm.decoder.topK).toFixed(2)} → ${stepMs(wasm.decoder.grounded).toFixed(2)} ms per step)`,
      met: added <= 2,
    };
  }
  // The app grounds its captions when the model can, so the harness's grounded search is the same work.
  const medianPhotoMs = (report: BackendReport) => report.prepMs.median + report.encoderMs.median + (report.decoder.grounded ?? report.decoder.topK).beamSearchMs.median;
  const appThreads = app.backend === 'wasm' ? app.wasmThreads : null;
  const harnessLikeApp = backends.find((report) => !report.skipped && report.backend === app.backend && report.threads === appThreads);
  if (harnessLikeApp && 'perPhotoMs' in app.photos) {
    const ratio = app.photos.perPhotoMs / medianPhotoMs(harnessLikeApp);
    targets.appPerPhoto = {
      target: `app per photo ≤ 1.2 × the harness's prep + encoder + beam search (${app.backend}${appThreads ? `, ${appThreads} threads` : ''})`,
      measured: `${app.photos.perPhotoMs.toFixed(0)} ms vs ${medianPhotoMs(harnessLikeApp).toFixed(0)} ms (${ratio.toFixed(2)}×)`,
      met: ratio <= 1.2,
    };
  }
  const wasmOn = (threads: number) => backends.find((report) => !report.skipped && report.backend === 'wasm' && report.threads === threads);
  const [oneThread, twoThreads] = [wasmOn(1), wasmOn(2)];
  if (oneThread && twoThreads) {
    const ratio = twoThreads.encoderMs.median / oneThread.encoderMs.median;
    targets.encoderTwoThreads = {
      target: 'wasm encoder with 2 threads ≤ 0.65 × 1 thread',
      measured: `${twoThreads.encoderMs.median.toFixed(0)} ms vs ${oneThread.encoderMs.median.toFixed(0)} ms (${ratio.toFixed(2)}×)`,
      met: ratio <= 0.65,
    };
  }
  if ('captionsPerSecond' in app.webcam) {
    targets.camera = { target: '≥ 5 camera captions/s (automatic backend)', measured: `${app.webcam.captionsPerSecond.toFixed(1)} /s`, met: app.webcam.captionsPerSecond >= 5 };
  }
  const workerScripts = Object.entries(app.workerScriptBytes);
  targets.workerScript = {
    target: '≤ 800 KB worker JavaScript (raw) on every backend',
    measured: workerScripts.map(([backend, bytes]) => `${backend} ${bytes} B`).join(', '),
    met: workerScripts.every(([, bytes]) => bytes <= 800_000),
  };
  if (webgl) {
    const topK = webgl.decoder.topK;
    targets.beamSearchShareWebgl = { target: '≤ 20 % of a photo on webgl', measured: `${(webgl.beamSearchShare * 100).toFixed(1)} %`, met: webgl.beamSearchShare <= 0.2 };
    targets.readBackPerStep = { target: `≤ beam × k × 8 = ${maxReadBack} B`, measured: `${topK.readBackBytesPerStep.max} B`, met: topK.readBackBytesPerStep.max <= maxReadBack };
    // First hypothesis = prep + encoder + first step, so the target holds when the first step costs no more than an average one.
    const meanStep = topK.beamSearchMs.median / topK.steps.median;
    targets.firstHypothesis = {
      target: 'first hypothesis ≤ prep + encoder + one step (webgl)',
      measured: `first step ${topK.firstStepMs.median.toFixed(1)} ms, mean step ${meanStep.toFixed(1)} ms`,
      met: topK.firstStepMs.median <= meanStep,
    };
  }
  return targets;
}

/** One stage's report (--pool, --soak, --library): written to .cache/bench/NAME and printed. */
async function writeStageReport(name: string, report: unknown): Promise<void> {
  await writeFile(path.join(OUT_DIR, name), `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
  log(`wrote ${path.relative('.', OUT_DIR)}/${name}`);
}

function machineLine(): string {
  return `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${os.platform()}, headless Chromium (WebGL and WebGPU from SwiftShader), load average ${os.loadavg()[0].toFixed(1)}`;
}

/**
 * A batch of 24 photos at real sizes (500×375, 640×480 and 12 MP, made from the bench's photos: see
 * bench/real-size-photos.ts) on the app's worker pool and on the CLI's; with a baseline site, the
 * automatic page on both builds in turn.
 */
async function benchPool(appUrl: string, baselineUrl: string | null): Promise<PoolReport> {
  const distinct = await photoFiles();
  const batch = await realSizePhotos(distinct, 24, path.join(OUT_DIR, 'real-size-photos'), log);
  const source = `${REAL_SIZES.map((size) => size.name).join(', ')} made from ${distinct.length < batch.length ? `${distinct.length} photos, repeated (${SHARED_PHOTOS} is absent)` : `${batch.length} of the bench's photos`}`;
  log(
    baselineUrl
      ? `worker pool: ${batch.length} photos on the baseline and this build in turn (automatic workers, ${POOL_ROUNDS} rounds), then the CLI's --jobs 1 and 2…`
      : `worker pool: ${batch.length} photos with 1, 2 and the automatic number of workers, then the CLI's --jobs 1 and 2…`,
  );
  return benchWorkerPool({ current: appUrl, baseline: baselineUrl, rounds: POOL_ROUNDS }, batch, source, log);
}

/** The baseline build served as the bench serves this one (sub-path, models of the same choice). */
async function baselineServer(distDir: string, extraModelsDir: string | undefined): Promise<StaticServer> {
  const siteRoot = path.join(OUT_DIR, 'baseline-site');
  await publishSite({ distDir: path.resolve(distDir), siteRoot, extraModelsDir });
  return startStaticServer(siteRoot);
}

/** The first visit on an emulated slow link, from a host that compresses text as a CDN does (so bytes and time are a real host's). */
async function firstVisitOnSlowLink(): Promise<{ firstVisit: FirstVisitReport; target: BenchReport['targets'][string] }> {
  log('first visit on an emulated 10 Mbit/s, 40 ms link…');
  const server = await startStaticServer(SITE_ROOT, { gzipText: true });
  try {
    const firstVisit = await benchFirstVisit(`${server.origin}${APP_SUB_PATH}`, server, path.join(OUT_DIR, 'app'), log);
    const measured = `${(firstVisit.beforeFirstCaptionBytes / 1e6).toFixed(2)} MB, first caption after ${(firstVisit.firstCaptionMs / 1000).toFixed(1)} s`;
    return { firstVisit, target: { target: '≤ 6.0 MB over the wire before the first caption (text gzipped)', measured, met: firstVisit.beforeFirstCaptionBytes <= 6e6 } };
  } finally {
    await server.close();
  }
}

/** `--camera`: the live camera alone, this build alternated with the build of `--against` (bench/camera-compare.ts). */
async function cameraStage(startedAt: string, note: string | undefined): Promise<void> {
  log('camera video: 640×480, 30 frames/s, a cut every ' + CAMERA_VIDEO.secondsPerScene + ' s…');
  const scenes = await writeCameraVideo(CAMERA_VIDEO_FILE);
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
  const sites: Record<string, string> = {};
  if (CAMERA_AGAINST) {
    const against = execFileSync('git', ['rev-parse', '--short', CAMERA_AGAINST], { encoding: 'utf8' }).trim();
    // Outside the repository, so that its copy of the tests is not found by this checkout's test runner.
    sites[`${CAMERA_AGAINST} (${against})`] = await publishBuildOf(CAMERA_AGAINST, path.join(os.tmpdir(), 'show-and-tell-bench-against'), log);
  }
  sites[`this build (${head}${changed ? ' with uncommitted changes' : ''})`] = SITE_ROOT;
  const browser = await chromium.launch(chromiumLaunchOptions(fakeCameraArgs(CAMERA_VIDEO_FILE)));
  try {
    log(`camera: ${CAMERA_ROUNDS} round(s) of ${WEBCAM_SECONDS} s per build…`);
    const camera = await compareCameras(browser, sites, CAMERA_ROUNDS, WEBCAM_SECONDS, log);
    const targets = Object.fromEntries(
      Object.entries(camera.summary).flatMap(([build, { captionsPerSecond, worstCutMs, cuts, unansweredCuts }]) => [
        [`${build}: rate`, { target: '≥ 8 camera captions/s', measured: `${captionsPerSecond.join(', ')} /s`, met: captionsPerSecond.length > 0 && Math.min(...captionsPerSecond) >= 8 }],
        [
          `${build}: after a cut`,
          { target: 'a caption of the new scene ≤ 1 s after every cut', measured: `worst ${worstCutMs} ms over ${cuts} cuts, ${unansweredCuts} unanswered`, met: cuts > 0 && unansweredCuts === 0 && worstCutMs !== null && worstCutMs <= 1000 },
        ],
      ]),
    );
    const video = { ...CAMERA_VIDEO, scenes: scenes.map(({ name }) => name), file: path.relative('.', CAMERA_VIDEO_FILE) };
    await writeStageReport('report-camera.json', { startedAt, machine: machineLine(), model: note ?? "each build's default model", video, counted: COUNTED, camera, targets });
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  await mkdir(OUT_DIR, { recursive: true });
  build();
  const { extraModelsDir, note } = await chooseModel();
  await publishSite({ distDir: path.join(OUT_DIR, 'app'), siteRoot: SITE_ROOT, extraModelsDir });
  if (FIRST_VISIT_ONLY) {
    const { firstVisit, target } = await firstVisitOnSlowLink();
    await writeStageReport('report-first-visit.json', { startedAt, machine: machineLine(), model: note ?? 'the default model of public/models', firstVisit, target });
    return;
  }
  if (CAMERA_ONLY) {
    await cameraStage(startedAt, note);
    return;
  }
  if (POOL_ONLY) {
    const server = await startStaticServer(SITE_ROOT);
    const baseline = BASELINE_DIST ? await baselineServer(BASELINE_DIST, extraModelsDir) : null;
    try {
      const pool = await benchPool(`${server.origin}${APP_SUB_PATH}`, baseline && `${baseline.origin}${APP_SUB_PATH}`);
      const report = { startedAt, machine: machineLine(), model: note ?? 'the default model of public/models', pool, targets: poolTargets(pool) };
      await writeStageReport('report-pool.json', report);
    } finally {
      await server.close();
      await baseline?.close();
    }
    return;
  }
  const benchDir = path.join(SITE_ROOT, 'bench');
  await cp(path.join(OUT_DIR, 'harness'), benchDir, { recursive: true });
  const photos = await photoFiles();
  await mkdir(path.join(benchDir, 'photos'));
  await Promise.all(photos.map((file, index) => cp(file, path.join(benchDir, 'photos', `${index}.jpg`))));

  const list = await readModelList(path.join(SITE_ROOT, APP_SUB_PATH, 'models/models.json'));
  const entry = list.models.find((model) => model.id === list.default)! as (typeof list.models)[number] & { version: string };
  // The app gets no headers (its service worker adds them, as on any static host); the harness page
  // has no service worker, so the server makes it cross-origin isolated for the threaded wasm runs.
  const server = await startStaticServer(SITE_ROOT, { headers: (urlPath) => (urlPath.startsWith('/bench/') ? CROSS_ORIGIN_ISOLATION_HEADERS : {}) });
  const modelUrl = `${server.origin}${APP_SUB_PATH}models/${entry.id}/${entry.version}/`;
  const photoUrls = photos.map((_, index) => `${server.origin}/bench/photos/${index}.jpg`);
  // The app runs as Chromium runs on a machine without a GPU: forcing SwiftShader for everything (as the
  // harness does, so that its WebGL row exists) also composites the page through emulated GL, which
  // cost the app's worker a third of its speed here. WebGL is still SwiftShader's either way.
  await writeCameraVideo(CAMERA_VIDEO_FILE);
  const appBrowser = await chromium.launch(
    chromiumLaunchOptions([
      ...fakeCameraArgs(CAMERA_VIDEO_FILE),
      // Exact JS heap sizes and gc() for the library stage.
      '--enable-precise-memory-info',
      '--js-flags=--expose-gc',
    ]),
  );
  const harnessBrowser = APP_ONLY || LIBRARY_ONLY || SOAK ? null : await chromium.launch(chromiumLaunchOptions([...SOFTWARE_WEBGL_ARGS, '--enable-unsafe-webgpu']));
  const appUrl = `${server.origin}${APP_SUB_PATH}`;
  try {
    if (SOAK) {
      log(`camera soak: ${SOAK_MINUTES} minutes…`);
      const soak = await benchCameraSoak(appBrowser, appUrl, SOAK_MINUTES, log);
      const flat = Math.max(...Object.values(soak.change).map(Math.abs)) <= 0.05;
      const report = { startedAt, machine: machineLine(), model: entry.id, note, soak, target: { target: 'rate, JS heap and tensors of the last interval within 5 % of the first', met: flat } };
      await writeStageReport('report-soak.json', report);
      return;
    }
    if (LIBRARY_ONLY) {
      log(`photo library: memory and page elements after ${LIBRARY_PHOTOS.first} and after ${LIBRARY_PHOTOS.all} photos…`);
      const library = await benchPhotoLibrary(appBrowser, appUrl, photoUrls, LIBRARY_PHOTOS);
      const report = { startedAt, machine: machineLine(), model: entry.id, note, library, targets: libraryTargets(library) };
      await writeStageReport('report-library.json', report);
      return;
    }
    if (!harnessBrowser) {
      const app = await benchApp(appBrowser, server, photos);
      await writeFile(path.join(OUT_DIR, 'report-app.json'), `${JSON.stringify(app, null, 2)}\n`);
      console.log(JSON.stringify(app, null, 2));
      log(`wrote ${path.relative('.', OUT_DIR)}/report-app.json (app only: no targets)`);
      return;
    }
    log(`photo library: memory after ${LIBRARY_PHOTOS.first} and after ${LIBRARY_PHOTOS.all} photos…`);
    const library = await benchPhotoLibrary(appBrowser, appUrl, photoUrls, LIBRARY_PHOTOS);
    log(`photo library: ${JSON.stringify(library)}`);
    const app = await benchApp(appBrowser, server, photos);
    const backends = await benchBackends(harnessBrowser, server, modelUrl, photoUrls);
    const pool = await benchPool(`${server.origin}${APP_SUB_PATH}`, null);
    const packageSize = await benchPackageSize(log);
    const firstVisit = await firstVisitOnSlowLink();
    const report: BenchReport = {
      startedAt,
      machine: machineLine(),
      quick: QUICK,
      model: { id: entry.id, name: entry.name, fixture: entry.fixture, note },
      settings: SETTINGS,
      app,
      library,
      backends,
      pool,
      packageSize,
      firstVisit: firstVisit.firstVisit,
      targets: { ...checkTargets(app, library, backends), firstVisit: firstVisit.target, ...poolTargets(pool), ...Object.fromEntries(packageSize.targets.map((target, index) => [`package${index + 1}`, target])) },
    };
    await writeFile(path.join(OUT_DIR, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    const html = chartHtml(report);
    await writeFile(path.join(OUT_DIR, 'report.html'), html);
    const page = await appBrowser.newPage({ viewport: { width: 940, height: 600 } });
    await page.setContent(html);
    await page.screenshot({ path: path.join(OUT_DIR, 'report.png'), fullPage: true });
    console.log(JSON.stringify(report, null, 2));
    log(`wrote ${path.relative('.', OUT_DIR)}/report.json, report.html and report.png`);
  } finally {
    await Promise.all([appBrowser.close(), harnessBrowser?.close()]);
    await server.close();
  }
}

await main();
