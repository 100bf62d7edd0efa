import type { Page } from '@playwright/test';
import type { JobDoneEvent } from '../src/worker/protocol';
import type { Distribution } from './report-types';
import { distribution } from './stats';
import { SCENE_MARK } from './camera-video';

/**
 * Starts the page's camera (the fake one Chromium gets from the bench's flags) and waits past its
 * first frames, which pay for start-up. Returns why it could not, or null once it is live.
 */
export async function startCamera(page: Page): Promise<string | null> {
  const camera = page.getByTestId('camera');
  if ((await camera.count()) === 0) return 'this build has no camera panel';
  await camera.getByRole('button', { name: 'Start camera' }).click();
  try {
    await page.waitForFunction(() => document.querySelector('[data-testid=camera]')?.getAttribute('data-phase') === 'live', null, { timeout: 30_000 });
  } catch {
    return `the camera did not go live (${await camera.getAttribute('data-phase')})`;
  }
  await page.waitForTimeout(2000);
  return null;
}

/** The live camera over a window: what was counted, where a frame's time went, and how fast it followed the video's cuts. */
export interface CameraReport {
  /** Camera frames captioned per second of the window (see `counted`). */
  captionsPerSecond: number;
  counted: string;
  seconds: number;
  /** The encoder's input for frames (card.json liveImage, else its image size). */
  liveInput: string;
  /** Worker, per frame: frame → pixels, preprocessing + encoder, beam search. */
  pixelsMs: Distribution;
  encodeMs: Distribution;
  searchMs: Distribution;
  /** Between one frame's caption arriving and the next frame starting in the worker: grabbing it on the page, the message. */
  gapMs: Distribution;
  /** The cuts of the bench's camera video inside the window (bench/camera-video.ts), when it plays. */
  cuts: SceneCut[];
  /** Each scene's frame captions (best caption, how many frames got it). */
  captionsByScene: Record<number, Record<string, number>>;
}

export interface SceneCut {
  /** The scene the video cut to (its index in bench/camera-video.ts's scenes). */
  toScene: number;
  /** Cut (the camera delivering the first frame of the new scene) → the first caption of a frame of the new scene; null: none within 1.5 s after the window. */
  frameToCaptionMs: number | null;
  /**
   * Cut → the caption shown on the page changing once a caption of the new scene has arrived (the
   * anti-flicker rule of src/store/caption-stability.ts waits for agreeing frames); null: it did not change.
   */
  shownCaptionMs: number | null;
}

export const COUNTED =
  'camera frames captioned: job-done events of the worker\'s frame jobs inside the window, each a frame the camera delivered, grabbed when the worker was free, and encoded and searched for that frame alone';

declare global {
  interface Window {
    /** Filled by watchCamera's init script. */
    cameraBench: {
      /** Each camera frame as the page could first read it: its timestamp (µs), when it was read, its scene. */
      frames: { timestampUs: number; at: number; scene: number }[];
      /** Each frame job posted to the worker, by job id: the scene of its frame, when it was posted. */
      jobScenes: Record<string, { scene: number; postedAt: number }>;
      /** The caption shown on the page, each time it changed. */
      shown: { at: number; text: string }[];
      /** Which scene a frame shows, by its mark. */
      sceneOf: (frame: VideoFrame) => Promise<number>;
    };
  }
}

/**
 * Watches the camera from inside the page, beside the app: a second reader on the camera's track sees
 * every frame (and its scene mark), the frames the app posts to the worker are tagged with their scene,
 * and the shown caption's changes are timed. Call before the page loads.
 */
export async function watchCamera(page: Page): Promise<void> {
  // Functions here are only assigned to members or passed inline: tsx names those it finds in
  // variables and object literals with a helper the page does not have.
  await page.addInitScript((mark: number) => {
    window.cameraBench = { frames: [], jobScenes: {}, shown: [] } as unknown as Window['cameraBench'];
    // A few pixels inside the mark (4:2:0 rectangles start and end on even pixels): white → scene 0, black → scene 1.
    const inside = Math.floor(mark / 4) * 2;
    const rect = { x: inside, y: inside, width: 2, height: 2 };
    window.cameraBench.sceneOf = async (frame: VideoFrame): Promise<number> => {
      const bytes = new Uint8Array(frame.allocationSize({ rect }));
      await frame.copyTo(bytes, { rect });
      return bytes[0] > 128 ? 0 : 1;
    };
    type Processor = new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<VideoFrame> };
    const TrackProcessor = (globalThis as unknown as { MediaStreamTrackProcessor?: Processor }).MediaStreamTrackProcessor;
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      const [track] = stream.getVideoTracks();
      if (track && TrackProcessor) {
        const copy = track.clone();
        const reader = new TrackProcessor({ track: copy }).readable.getReader();
        void (async () => {
          for (let read = await reader.read(); !read.done; read = await reader.read()) {
            const frame = read.value;
            const at = performance.now();
            window.cameraBench.frames.push({ timestampUs: frame.timestamp, at, scene: await window.cameraBench.sceneOf(frame) });
            frame.close();
          }
        })();
        // The app's Stop ends the copy too, as it would end the camera.
        const stop = track.stop.bind(track);
        track.stop = () => {
          copy.stop();
          stop();
        };
      }
      return stream;
    };
    const postMessage = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      const message = args[0] as { type?: string; jobId?: string; liveFrame?: boolean; picture?: unknown };
      if (message?.type === 'caption' && message.liveFrame && message.jobId && typeof VideoFrame !== 'undefined' && message.picture instanceof VideoFrame) {
        const copy = message.picture.clone();
        const jobId = message.jobId;
        const postedAt = performance.now();
        void window.cameraBench.sceneOf(copy).then((scene) => (window.cameraBench.jobScenes[jobId] = { scene, postedAt })).finally(() => copy.close());
      }
      return postMessage.apply(this, args);
    } as Worker['postMessage'];
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid=camera-caption]')?.textContent ?? '';
      const { shown } = window.cameraBench;
      if (text !== (shown[shown.length - 1]?.text ?? '')) shown.push({ at: performance.now(), text });
    }).observe(document, { subtree: true, childList: true, characterData: true });
  }, SCENE_MARK);
}

/**
 * Runs the live camera for `seconds` (after startCamera's warm-up) and reports it. Needs
 * recordWorkerEvents and watchCamera installed before the page loaded.
 */
export async function measureCamera(page: Page, seconds: number): Promise<CameraReport | { skipped: string }> {
  const notLive = await startCamera(page);
  if (notLive) return { skipped: notLive };
  const measuredFrom = await page.evaluate(() => performance.now());
  await page.waitForTimeout(seconds * 1000);
  const measuredTo = await page.evaluate(() => performance.now());
  // A cut in the last second of the window may be answered after it: the camera runs on a little.
  await page.waitForTimeout(1500);
  await page.getByTestId('camera').getByRole('button', { name: 'Stop camera' }).click();
  const { events, watched } = await page.evaluate(() => ({ events: window.benchEvents, watched: window.cameraBench }));
  const ready = events.findLast(({ event }) => event.type === 'model-ready')?.event;
  const liveInput = ready?.type === 'model-ready' ? `${ready.model.liveInput.width}×${ready.model.liveInput.height}` : '?';
  const frameEvents = events.filter(({ event }) => 'jobId' in event && event.jobId.startsWith('frame-'));
  const started = frameEvents.filter(({ event }) => event.type === 'job-started');
  const done = frameEvents.filter((entry): entry is typeof entry & { event: JobDoneEvent } => entry.event.type === 'job-done');
  const inWindow = done.filter(({ at }) => at >= measuredFrom && at < measuredTo);
  const gaps = inWindow.flatMap(({ at }) => {
    const next = started.find((entry) => entry.at > at);
    return next ? [next.at - at] : [];
  });
  const captionsByScene: CameraReport['captionsByScene'] = {};
  for (const { event } of inWindow) {
    const scene = watched.jobScenes[event.jobId]?.scene;
    const text = event.captions[0]?.text;
    if (scene === undefined || text === undefined) continue;
    const counts = (captionsByScene[scene] ??= {});
    counts[text] = (counts[text] ?? 0) + 1;
  }
  return {
    captionsPerSecond: inWindow.length / seconds,
    counted: COUNTED,
    seconds,
    liveInput,
    pixelsMs: distribution(inWindow.map(({ event }) => event.stages.pixelsMs)),
    encodeMs: distribution(inWindow.map(({ event }) => event.stages.encodeMs)),
    searchMs: distribution(inWindow.map(({ event }) => event.stages.searchMs)),
    gapMs: distribution(gaps),
    cuts: sceneCuts(watched, done, measuredFrom, measuredTo),
    captionsByScene,
  };
}

/**
 * The video's cuts inside the window, each with how long the captions took to follow it. A frame's
 * time on the page's clock comes from its timestamp: the page reads some frames late while it is
 * busy, so the offset is the smallest seen (the promptest read).
 */
export function sceneCuts(
  watched: Pick<Window['cameraBench'], 'frames' | 'jobScenes' | 'shown'>,
  done: { at: number; event: JobDoneEvent }[],
  from: number,
  to: number,
): SceneCut[] {
  const { frames, jobScenes, shown } = watched;
  if (frames.length === 0) return [];
  const offsetMs = Math.min(...frames.map(({ timestampUs, at }) => at - timestampUs / 1000));
  const cuts: SceneCut[] = [];
  for (let i = 1; i < frames.length; i++) {
    if (frames[i].scene === frames[i - 1].scene) continue;
    const cutAt = frames[i].timestampUs / 1000 + offsetMs;
    if (cutAt < from || cutAt >= to) continue;
    const toScene = frames[i].scene;
    // A frame of the new scene posted after the cut (not one of the scene's previous turn in the loop).
    const answer = done.find(({ event }) => jobScenes[event.jobId]?.scene === toScene && jobScenes[event.jobId].postedAt >= cutAt);
    const shownChange = answer && shown.find(({ at }) => at >= answer.at);
    cuts.push({ toScene, frameToCaptionMs: answer ? answer.at - cutAt : null, shownCaptionMs: shownChange ? shownChange.at - cutAt : null });
  }
  return cuts;
}
