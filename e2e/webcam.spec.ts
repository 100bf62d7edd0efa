import { expect, test, type Page } from '@playwright/test';
import { toAltText } from '../src/captioner/format';
import type { JobDoneEvent, WorkerEvent, WorkerRequest } from '../src/worker/protocol';
import { FIXTURE_CAPTIONS } from '../tools/fixture/make-fixture-model';
import { chromiumLaunchOptions, SOFTWARE_WEBGL_ARGS } from './browser';
import { FAKE_CAMERA_ARGS } from './fake-camera';
import { card, dropFiles, expectCaptioned, openReadyApp, PHOTOS, screenshotPath, workerEvents } from './helpers';

declare global {
  interface Window {
    cameraStreams: MediaStream[];
    cameraErrorName: string;
    /** Mean brightness (0–1) of each camera frame's picture, by job id, as it was posted to the worker. */
    framesSent: Record<string, number>;
    /** Each new text of the live caption, and the camera frame whose result the page had just received. */
    captionsShown: { text: string; frameId: string | undefined }[];
  }
}

const LIVE_CAPTION = /^A (white|black) square\.$/;

/** The bridge names camera frames' jobs `frame-N`; photos have other ids. */
function isFrameDone(event: WorkerEvent): event is JobDoneEvent {
  return event.type === 'job-done' && event.jobId.startsWith('frame-');
}

/** The fixture's best caption for a picture of this mean brightness (the fake camera's are far from 0.5). */
const fixtureCaption = (brightness: number) => (brightness > 0.5 ? FIXTURE_CAPTIONS.bright : FIXTURE_CAPTIONS.dark)[0];

/**
 * Records what ties a caption to a picture: the brightness of every camera frame as the page posts it to
 * the worker (before it is transferred), and which frame's result the live caption changed on.
 */
async function recordFramesAndCaptions(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const meanBrightness = (picture: CanvasImageSource): number => {
      const canvas = new OffscreenCanvas(16, 12);
      const context = canvas.getContext('2d')!;
      context.drawImage(picture, 0, 0, canvas.width, canvas.height);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) sum += (data[i] + data[i + 1] + data[i + 2]) / 3;
      return sum / (data.length / 4) / 255;
    };
    window.framesSent = {};
    window.captionsShown = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, request: WorkerRequest, transfer: Transferable[] | StructuredSerializeOptions = []) {
      if (request.type === 'caption' && request.liveFrame) window.framesSent[request.jobId] = meanBrightness(request.picture as CanvasImageSource);
      post.call(this, request, transfer as StructuredSerializeOptions);
    };
    // The page renders a frame's result before the next message arrives, so the newest frame result is the one shown.
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="camera-caption"]')?.textContent;
      if (!text || text === window.captionsShown.at(-1)?.text) return;
      const newestFrame = window.workerEvents.findLast((event) => event.type === 'job-done' && event.jobId.startsWith('frame-'));
      window.captionsShown.push({ text, frameId: newestFrame && 'jobId' in newestFrame ? newestFrame.jobId : undefined });
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

/**
 * Every captioned frame says what its own picture shows, the camera sent both shades, and each caption
 * the page showed is the one of the frame it changed on.
 */
async function expectCaptionsFollowFrames(page: Page): Promise<void> {
  const { framesSent, captionsShown } = await page.evaluate(() => ({ framesSent: window.framesSent, captionsShown: window.captionsShown }));
  const framesDone = (await workerEvents(page)).filter(isFrameDone);
  expect(framesDone.length).toBeGreaterThan(0);
  for (const { jobId, captions } of framesDone) {
    const brightness = framesSent[jobId];
    expect(captions[0].text, `${jobId}, a picture of brightness ${brightness.toFixed(2)}`).toBe(fixtureCaption(brightness));
  }
  expect(new Set(Object.values(framesSent).map(fixtureCaption)).size, 'shades the camera sent').toBe(2);
  const liveCaptions = captionsShown.filter(({ text }) => LIVE_CAPTION.test(text));
  expect(new Set(liveCaptions.map(({ text }) => text)).size, 'captions shown').toBe(2);
  for (const { text, frameId } of liveCaptions) {
    expect(frameId, `the frame "${text}" came with`).toBeDefined();
    expect(text, `shown on ${frameId}, a picture of brightness ${framesSent[frameId!].toFixed(2)}`).toBe(toAltText(fixtureCaption(framesSent[frameId!])));
  }
}

async function framesCaptioned(page: Page): Promise<number> {
  return (await workerEvents(page)).filter(isFrameDone).length;
}

// The camera is granted without asking and plays e2e/fake-camera.ts's video; the problems test replaces getUserMedia.
test.use({ launchOptions: chromiumLaunchOptions([...SOFTWARE_WEBGL_ARGS, ...FAKE_CAMERA_ARGS]) });

test.describe('with a fake camera playing bright and dark frames', () => {
  test.beforeEach(async ({ page }) => {
    await recordFramesAndCaptions(page);
    await page.addInitScript(() => {
      window.cameraStreams = [];
      const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        const stream = await getUserMedia(constraints);
        window.cameraStreams.push(stream);
        return stream;
      };
    });
    await openReadyApp(page, 'webgl');
    await page.getByRole('button', { name: 'Start camera' }).click();
  });

  test('the caption follows the video, photos still get their turn, hiding pauses, Stop releases the camera', async ({ page }, testInfo) => {
    const camera = page.getByTestId('camera');
    const caption = page.getByTestId('camera-caption');
    await expect(camera).toHaveAttribute('data-phase', 'live');

    await test.step('the caption says what the frames show, and changes with them', async () => {
      await expect(caption).toHaveText(LIVE_CAPTION);
      const first = await caption.textContent();
      await expect(caption).not.toHaveText(first ?? '');
      await expect(caption).toHaveText(LIVE_CAPTION);
      await expect(page.getByTestId('camera-caption-lines').getByRole('listitem')).toHaveCount(3);
      await expectCaptionsFollowFrames(page);
    });

    await test.step('a dropped photo is captioned while the camera runs, and frames go on after it', async () => {
      await dropFiles(page, [PHOTOS.cat()]);
      await expectCaptioned(page, 'house-cat.jpg');
      const framesAtPhotoDone = await framesCaptioned(page);
      await expect.poll(() => framesCaptioned(page)).toBeGreaterThan(framesAtPhotoDone + 2);
    });

    const rate = page.getByTestId('camera-rate');
    const captionsPerSecond = Number(await rate.getAttribute('data-captions-per-second'));
    const latencyMs = Number(await rate.getAttribute('data-mean-latency-ms'));
    expect(captionsPerSecond).toBeGreaterThan(0);
    expect(latencyMs).toBeGreaterThan(0);
    console.log(`live camera with the fixture on webgl: ${captionsPerSecond} captions/s, mean latency ${latencyMs} ms`);
    testInfo.annotations.push({ type: 'camera (webgl, fixture)', description: `${captionsPerSecond} captions/s, ${latencyMs} ms` });
    await page.screenshot({ path: screenshotPath(testInfo, 'camera-live.png'), fullPage: true });

    await test.step('captioning pauses while the tab is hidden', async () => {
      const setHidden = (hidden: boolean) =>
        page.evaluate((hidden) => {
          Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
          document.dispatchEvent(new Event('visibilitychange'));
        }, hidden);
      await setHidden(true);
      await expect(caption).toHaveText('Paused while this tab is hidden.');
      await page.waitForTimeout(500); // a frame finishing just as the tab hid may still report
      const framesWhenPaused = await framesCaptioned(page);
      await page.waitForTimeout(2000);
      expect(await framesCaptioned(page)).toBe(framesWhenPaused);
      await setHidden(false);
      await expect.poll(() => framesCaptioned(page)).toBeGreaterThan(framesWhenPaused);
      await expect(caption).toHaveText(LIVE_CAPTION);
    });

    await test.step('Stop camera ends every track', async () => {
      await page.getByRole('button', { name: 'Stop camera' }).click();
      await expect(camera).toHaveAttribute('data-phase', 'off');
      const trackStates = await page.evaluate(() => window.cameraStreams.flatMap((stream) => stream.getTracks().map((track) => track.readyState)));
      expect(trackStates.length).toBeGreaterThan(0);
      expect(trackStates.every((state) => state === 'ended')).toBe(true);
      await expect(page.getByTestId('camera-video')).toHaveCount(0);
    });
  });

  test('Snapshot adds the current frame as a photo card that gets captioned', async ({ page }) => {
    await expect(page.getByTestId('camera-caption')).toHaveText(LIVE_CAPTION);
    await page.getByTestId('camera-snapshot').click();
    const snapshot = card(page, 'camera-');
    await expect(snapshot).toHaveAttribute('data-state', 'done');
    await expect(snapshot.getByTestId('best-caption')).toHaveText(LIVE_CAPTION);
  });
});

test('without MediaStreamTrackProcessor (Firefox, Safari) frames are taken from the video, and the caption still follows it', async ({ page }) => {
  await page.addInitScript(() => delete (window as { MediaStreamTrackProcessor?: unknown }).MediaStreamTrackProcessor);
  await recordFramesAndCaptions(page);
  await openReadyApp(page, 'webgl');
  await page.getByRole('button', { name: 'Start camera' }).click();
  const caption = page.getByTestId('camera-caption');
  await expect(caption).toHaveText(LIVE_CAPTION);
  const first = await caption.textContent();
  await expect(caption).not.toHaveText(first ?? '');
  await expect(caption).toHaveText(LIVE_CAPTION);
  await expectCaptionsFollowFrames(page);
});

test('camera problems say what to do, and photos keep working', async ({ page }) => {
  // Every getUserMedia call fails with the DOMException named in window.cameraErrorName.
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('camera refused by the test', window.cameraErrorName));
  });
  await openReadyApp(page, 'webgl');
  const start = page.getByRole('button', { name: 'Start camera' });
  const error = page.getByTestId('camera-error');
  for (const [errorName, problem, advice] of [
    ['NotAllowedError', 'denied', /denied.*Allow the camera/],
    ['NotFoundError', 'no-camera', /No camera was found/],
    ['NotReadableError', 'busy', /in use by another app/],
  ] as const) {
    await page.evaluate((errorName) => (window.cameraErrorName = errorName), errorName);
    await start.click();
    await expect(error).toHaveAttribute('data-problem', problem);
    await expect(error).toHaveText(advice);
  }
  await page.evaluate(() => Object.defineProperty(window, 'isSecureContext', { value: false }));
  await start.click();
  await expect(error).toHaveAttribute('data-problem', 'insecure-context');
  await expect(error).toHaveText(/secure page.*https/);

  await dropFiles(page, [PHOTOS.boats()]);
  await expectCaptioned(page, 'boats.jpg');
});
