/**
 * The page's captioner workers. The first loads the model (downloading it into the model cache),
 * reports its status, and serves the camera and single photos with its WebAssembly threads. When a
 * batch of photos waits, helpers start (as many as src/store/pool-size.ts plans; usePoolStore shows it), load the same model
 * from the cache on the same backend, one thread each, and take photos alongside it, as the CLI's
 * `--jobs` threads do. The bridge (captioner-bridge.ts) decides which photos go when; the pool decides
 * which worker takes each: the one with the fewest photos, the first on a tie.
 */
import { usePoolStore } from '../store/captioner-pool';
import { parseWorkersParameter, planWorkers } from '../store/pool-size';
import { transferList, type BackendName, type CaptionRequest, type LoadModelRequest, type WorkerEvent, type WorkerRequest } from '../worker/protocol';
import { startCaptionerWorker } from '../worker/start-worker';

/** A worker's photos in flight: one captioning and the next read and waiting keeps it busy without hoarding photos. */
export const PHOTOS_PER_WORKER = 2;

/**
 * A helper with no photo for this long stops: each holds its own model and WebAssembly memory (about
 * 130 MB with the default model, `npm run bench -- --pool`), and starting one again takes about a second.
 */
export const HELPER_IDLE_MS = 30_000;

interface Member {
  worker: Worker;
  helper: boolean;
  /** A helper's model is loaded and warmed up (the first worker's readiness is the model status). */
  ready: boolean;
  /** A helper of an earlier model or backend: it takes no photos and stops once its own are done. */
  retiring: boolean;
  /** Photos posted to it that it has not let go of yet (done, failed, or stopped after a cancel). */
  photos: Set<string>;
  /** Those of its photos that were cancelled: they hold their slot until the worker has stopped them. */
  cancelled: Set<string>;
  /** Stops an idle helper (HELPER_IDLE_MS). */
  idleTimer: ReturnType<typeof setTimeout> | null;
}

export interface WorkerCrash {
  /** A helper: only its photos were lost. The first worker: every helper was stopped with it. */
  helper: boolean;
  /** Photos the crashed helper held (empty for the first worker, whose photos the bridge knows). */
  jobIds: string[];
  message: string;
}

export interface PoolCallbacks {
  /** Every event of the first worker, and the photo events of the helpers. */
  onEvent(event: WorkerEvent): void;
  onCrash(crash: WorkerCrash): void;
  /** A helper is ready, so more photos can be sent. */
  onHelperReady(): void;
}

type LoadEvent = Extract<WorkerEvent, { loadId: number }>;

function isLoadEvent(event: WorkerEvent): event is LoadEvent {
  return 'loadId' in event;
}

/** navigator.deviceMemory, which only Chromium has (and not in TypeScript's DOM types). */
function deviceMemoryGb(): number | null {
  return (navigator as { deviceMemory?: number }).deviceMemory ?? null;
}

export class CaptionerPool {
  private first: Member | null = null;
  private helpers: Member[] = [];
  /** What helpers load: the first worker's model, on the backend it runs; null until it is ready. */
  private helperLoad: LoadModelRequest | null = null;
  private firstLoad: LoadModelRequest | null = null;
  /** Numbers the loads (LoadModelRequest.loadId): events of any but the latest are stale. */
  private loadsStarted = 0;
  /** A helper failed to load this model: no more are started for it. */
  private helpersFailed = false;

  constructor(private readonly callbacks: PoolCallbacks) {}

  /** The first worker loads the model; helpers of the previous one finish their photos and stop. */
  loadModel(load: Omit<LoadModelRequest, 'loadId'>): void {
    const request: LoadModelRequest = { ...load, loadId: ++this.loadsStarted };
    this.firstLoad = request;
    this.helperLoad = null;
    this.helpersFailed = false;
    for (const helper of this.helpers) helper.retiring = true;
    this.stopIdleRetirees();
    usePoolStore.setState({ plan: null, running: 0 });
    this.postToFirst(request);
  }

  /** Camera frames, cancelling them, and the tests' requests: always the first worker. */
  postToFirst(request: WorkerRequest): void {
    this.first ??= this.startMember(false);
    this.first.worker.postMessage(request, transferList(request));
  }

  /**
   * Photos that may be in flight now: the first worker leaves them to the helpers while the camera is
   * live. A cancelled photo keeps its slot until its worker has stopped it.
   */
  photoSlots(cameraLive: boolean): number {
    const helpers = this.readyHelpers().length;
    const slots = cameraLive ? (helpers > 0 ? helpers * PHOTOS_PER_WORKER : 1) : (1 + helpers) * PHOTOS_PER_WORKER;
    const stopping = this.members().reduce((count, member) => count + member.cancelled.size, 0);
    return Math.max(0, slots - stopping);
  }

  /** Photos wait for a slot: starts the helpers the plan allows (they join once their model is loaded). */
  grow(): void {
    const { plan } = usePoolStore.getState();
    if (!plan || !this.helperLoad || this.helpersFailed) return;
    const wanted = plan.workers - 1 - this.helpers.filter((helper) => !helper.retiring).length;
    for (let started = 0; started < wanted; started++) {
      const helper = this.startMember(true);
      this.helpers.push(helper);
      helper.worker.postMessage(this.helperLoad);
    }
  }

  postPhoto(request: CaptionRequest, cameraLive: boolean): void {
    const helpers = this.readyHelpers();
    const candidates = cameraLive && helpers.length > 0 ? helpers : [this.first, ...helpers].filter((member) => member !== null);
    const chosen = candidates.reduce<Member | null>((best, member) => (!best || member.photos.size < best.photos.size ? member : best), null);
    if (!chosen) return this.postToFirst(request);
    chosen.photos.add(request.jobId);
    if (chosen.idleTimer) clearTimeout(chosen.idleTimer);
    chosen.idleTimer = null;
    chosen.worker.postMessage(request, transferList(request));
  }

  /** Stops a photo wherever it is; its slot is free once the worker says it stopped (job-cancelled). */
  cancelPhoto(jobId: string): void {
    const holder = this.members().find((member) => member.photos.has(jobId));
    if (!holder || holder.cancelled.has(jobId)) return;
    holder.cancelled.add(jobId);
    holder.worker.postMessage({ type: 'cancel', jobId } satisfies WorkerRequest);
  }

  private members(): Member[] {
    return this.first ? [this.first, ...this.helpers] : this.helpers;
  }

  private readyHelpers(): Member[] {
    return this.helpers.filter((helper) => helper.ready && !helper.retiring);
  }

  private startMember(helper: boolean): Member {
    const worker = startCaptionerWorker(helper ? 'captioner-helper' : 'captioner');
    const member: Member = { worker, helper, ready: false, retiring: false, photos: new Set(), cancelled: new Set(), idleTimer: null };
    worker.addEventListener('message', (event: MessageEvent<WorkerEvent>) => this.handleEvent(member, event.data));
    // The worker reports its own errors as events, so reaching this means it cannot go on.
    worker.addEventListener('error', (event) => this.handleCrash(member, event.message));
    return member;
  }

  private handleEvent(member: Member, event: WorkerEvent): void {
    const settles = event.type === 'job-done' || event.type === 'job-failed' || event.type === 'job-cancelled';
    if (settles && member.photos.has(event.jobId)) this.settle(member, event.jobId);
    if (!member.helper) {
      // An earlier load's events (its model on another backend, say) would report the wrong model or start helpers on it.
      if (isLoadEvent(event) && event.loadId !== this.firstLoad?.loadId) return;
      if (event.type === 'model-ready') this.planHelpers(event.backend, event.wasmThreads?.count ?? 1);
      this.callbacks.onEvent(event);
      return;
    }
    switch (event.type) {
      case 'model-ready':
        member.ready = true;
        this.countRunning();
        this.stopWhenIdle(member);
        this.callbacks.onHelperReady();
        return;
      case 'model-error':
        this.helpersFailed = true;
        this.stop(member);
        return;
      case 'job-started':
      case 'job-thumbnail':
      case 'job-hypotheses':
      case 'job-done':
      case 'job-failed':
      case 'job-cancelled':
        this.callbacks.onEvent(event);
        return;
      default:
        // Its download progress and warm-up are the first worker's to report.
        return;
    }
  }

  private planHelpers(backend: BackendName, firstWorkerThreads: number): void {
    if (!this.firstLoad) return;
    const plan = planWorkers({
      pinned: parseWorkersParameter(location.search),
      backend,
      logicalCores: navigator.hardwareConcurrency || 1,
      deviceMemoryGb: deviceMemoryGb(),
      firstWorkerThreads,
    });
    // Same model and backend as the first worker, so every photo gets the same captions; the pool's
    // workers are its parallelism, so each helper runs one thread.
    this.helperLoad = { ...this.firstLoad, preferredBackend: backend, preferenceOrigin: 'settings', storedByPool: true, pinnedThreads: 1 };
    usePoolStore.setState({ plan });
    this.countRunning();
  }

  private settle(member: Member, jobId: string): void {
    member.photos.delete(jobId);
    member.cancelled.delete(jobId);
    this.stopIdleRetirees();
    if (member.helper) this.stopWhenIdle(member);
  }

  private stopWhenIdle(helper: Member): void {
    if (helper.photos.size > 0 || helper.idleTimer) return;
    helper.idleTimer = setTimeout(() => this.stop(helper), HELPER_IDLE_MS);
  }

  private stopIdleRetirees(): void {
    for (const helper of this.helpers) if (helper.retiring && helper.photos.size === 0) this.stop(helper);
  }

  private stop(member: Member): void {
    if (member.idleTimer) clearTimeout(member.idleTimer);
    member.worker.terminate();
    this.helpers = this.helpers.filter((helper) => helper !== member);
    this.countRunning();
  }

  private countRunning(): void {
    const running = (this.helperLoad ? 1 : 0) + this.readyHelpers().length;
    if (usePoolStore.getState().running !== running) usePoolStore.setState({ running });
  }

  private handleCrash(member: Member, message: string): void {
    if (member.helper) {
      const jobIds = [...member.photos];
      // One that crashed while loading would crash again: the batch goes on without helpers.
      if (!member.ready) this.helpersFailed = true;
      this.stop(member);
      this.callbacks.onCrash({ helper: true, jobIds, message });
      return;
    }
    // The bridge puts every photo in flight back in the queue, so no helper may keep captioning one.
    for (const helper of [...this.helpers]) this.stop(helper);
    member.worker.terminate();
    this.first = null;
    this.helperLoad = null;
    usePoolStore.setState({ plan: null, running: 0 });
    this.callbacks.onCrash({ helper: false, jobIds: [], message });
  }
}
