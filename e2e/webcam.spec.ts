import { expect, test, type Page } from '@playwright/test';
import type { WorkerEvent } from '../src/worker/protocol';
import { chromiumLaunchOptions, SOFTWARE_WEBGL_ARGS } from './browser';
import { FAKE_CAMERA_ARGS } from './fake-camera';
import { card, dropFiles, expectCaptioned, openReadyApp, PHOTOS, screenshotPath, workerEvents } from './helpers';

declare global {
  interface Window {
    cameraStreams: MediaStream[];
    cameraErrorName: string;
  }
}

const LIVE_CAPTION = /^A (white|black) square\.$/;

/** The bridge names camera frames' jobs `frame-N`; photos have other ids. */
function isFrameDone(event: WorkerEvent): boolean {
  return event.type === 'job-done' && event.jobId.startsWith('frame-');
}

async function framesCaptioned(page: Page): Promise<number> {
  return (await workerEvents(page)).filter(isFrameDone).length;
}

// The camera is granted without asking and plays e2e/fake-camera.ts's video; the problems test replaces getUserMedia.
test.use({ launchOptions: chromiumLaunchOptions([...SOFTWARE_WEBGL_ARGS, ...FAKE_CAMERA_ARGS]) });

test.describe('with a fake camera playing bright and dark frames', () => {
  test.beforeEach(async ({ page }) => {
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

    await test.step('captions update over time', async () => {
      await expect(caption).toHaveText(LIVE_CAPTION);
      const first = await caption.textContent();
      await expect(caption).not.toHaveText(first ?? '');
      await expect(caption).toHaveText(LIVE_CAPTION);
      await expect(page.getByTestId('camera-caption-lines').getByRole('listitem')).toHaveCount(3);
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
  await openReadyApp(page, 'webgl');
  await page.getByRole('button', { name: 'Start camera' }).click();
  const caption = page.getByTestId('camera-caption');
  await expect(caption).toHaveText(LIVE_CAPTION);
  const first = await caption.textContent();
  await expect(caption).not.toHaveText(first ?? '');
  await expect(caption).toHaveText(LIVE_CAPTION);
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
