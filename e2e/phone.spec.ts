/**
 * Issue 28: on a phone. Chromium with phone emulation (touch, mobile viewport): the page fits from
 * 320 px without sideways scrolling, every control is a usable target, the camera faces the world
 * and switches sides, captions are read aloud (a stubbed speech engine records what is said), a
 * photo is one tap away, and with Data Saver on the model is downloaded only when the user agrees.
 */
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { chromiumLaunchOptions, SOFTWARE_WEBGL_ARGS } from './browser';
import { FAKE_CAMERA_ARGS } from './fake-camera';
import { formatBytes } from '../src/ui/format';
import { card, dropFiles, expectCaptioned, generatedInput, greyPng, openReadyApp, screenshotPath, seriousViolations, workerEvents } from './helpers';
import { controlTargets, phone, sidewaysOverflow, tooSmall, TOUCH_ACTION_PX } from './phone-probes';

declare global {
  interface Window {
    /** What the stubbed speech engine was asked to say, in order. */
    spoken: string[];
    /** The video constraints of every getUserMedia call. */
    cameraRequests: MediaTrackConstraints[];
  }
}

// The camera is granted without asking and plays e2e/fake-camera.ts's video (bright, then dark frames).
test.use({ ...phone('Pixel 7'), launchOptions: chromiumLaunchOptions([...SOFTWARE_WEBGL_ARGS, ...FAKE_CAMERA_ARGS]) });

const PHONE_WIDTHS = [320, 360, 390, 414];
const LIVE_CAPTION = /^A (white|black) square\.$/;
const LONG_NAME = 'IMG_20261202_194512_HDR_portrait_mode_from_the_camera_roll_of_a_phone.png';
const LONG_CAPTION = 'A photo of https://example.org/a-very-long-address-that-has-no-spaces-in-it-at-all/and-goes-on-and-on';
/** What a phone user reaches for most; on a touch screen each must be at least 44 px tall. */
const MAIN_ACTIONS = ['Choose photos', 'Take a photo', 'Stop camera', 'Snapshot to photos', 'Export', `Edit alt text of ${LONG_NAME}`, `Copy alt text of ${LONG_NAME}`];

async function expectNoSidewaysScrolling(page: Page, when: string): Promise<void> {
  for (const width of PHONE_WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    const overflow = await sidewaysOverflow(page);
    expect(overflow.pixels, `${when}, ${width} px wide: ${overflow.culprits.join(', ')}`).toBe(0);
  }
}

/** A speech engine that records what it is asked to say, each utterance lasting `utteranceMs`. */
async function stubSpeech(page: Page, { voices, utteranceMs }: { voices: boolean; utteranceMs: number }): Promise<void> {
  await page.addInitScript(
    ({ voices, utteranceMs }) => {
      window.spoken = [];
      interface FakeUtterance {
        text: string;
        onend: (() => void) | null;
        onerror: (() => void) | null;
      }
      const voice = { name: 'Test voice', lang: 'en-US', localService: true, default: true, voiceURI: 'test-voice' };
      let current: FakeUtterance | null = null;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const engine = {
        speaking: false,
        getVoices: () => (voices ? [voice] : []),
        addEventListener: () => undefined,
        speak(utterance: FakeUtterance) {
          window.spoken.push(utterance.text);
          current = utterance;
          engine.speaking = true;
          timer = setTimeout(() => {
            current = null;
            engine.speaking = false;
            utterance.onend?.();
          }, utteranceMs);
        },
        cancel() {
          clearTimeout(timer);
          const cut = current;
          current = null;
          engine.speaking = false;
          cut?.onerror?.();
        },
      };
      Object.defineProperty(window, 'speechSynthesis', { value: engine, configurable: true });
      window.SpeechSynthesisUtterance = class {
        onend = null;
        onerror = null;
        constructor(public text: string) {}
      } as unknown as typeof SpeechSynthesisUtterance;
    },
    { voices, utteranceMs },
  );
}

/**
 * The page screen by screen, top to bottom (a full-page screenshot resizes the emulated phone's
 * viewport, which drops its touch emulation and so shows the desktop layout).
 */
async function screenshotScreens(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const { screens, height } = await page.evaluate(() => ({ screens: Math.ceil(document.documentElement.scrollHeight / innerHeight), height: innerHeight }));
  for (let screen = 0; screen < Math.min(screens, 10); screen++) {
    await page.evaluate((top) => window.scrollTo(0, top), screen * height);
    await page.screenshot({ path: screenshotPath(testInfo, `${name}-${screen + 1}.png`) });
  }
  await page.evaluate(() => window.scrollTo(0, 0));
}

function framesCaptioned(page: Page): Promise<number> {
  return workerEvents(page).then((events) => events.filter((event) => event.type === 'job-done' && event.jobId.startsWith('frame-')).length);
}

function setHidden(page: Page, hidden: boolean): Promise<void> {
  return page.evaluate((hidden) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

for (const device of ['Pixel 7', 'iPhone 13'] as const) {
  test.describe(device, () => {
    test.use(phone(device));

    test('the page fits from 320 px before and after captioning, every control is a target, and axe-core finds nothing serious', async ({ page }, testInfo) => {
      await stubSpeech(page, { voices: true, utteranceMs: 500 });
      await openReadyApp(page);
      await expectNoSidewaysScrolling(page, 'empty');
      expect(tooSmall(await controlTargets(page))).toEqual([]);

      await dropFiles(page, [greyPng(LONG_NAME, 64, 48, 240), generatedInput('white.png', 'image/png')]);
      await expectCaptioned(page, LONG_NAME);
      await expectCaptioned(page, 'white.png');
      const white = card(page, 'white.png');
      await white.getByRole('button', { name: 'Edit alt text of white.png' }).tap();
      await page.getByTestId('caption-input').fill(LONG_CAPTION);
      await white.getByRole('button', { name: 'Save' }).tap();
      await expect(white.getByTestId('best-caption')).toHaveText(LONG_CAPTION);
      await page.getByRole('button', { name: 'Start camera' }).tap();
      await expect(page.getByTestId('camera-caption')).toHaveText(LIVE_CAPTION);
      await page.getByRole('button', { name: 'Export', exact: true }).tap();
      await expectNoSidewaysScrolling(page, 'captioned, camera live, Export open');

      await page.setViewportSize({ width: 320, height: 800 });
      // The file name is whole on the card (nothing hovers on a phone to show a title).
      const fileName = card(page, LONG_NAME).locator('.file-name');
      expect(await fileName.evaluate((element) => element.scrollWidth <= element.clientWidth && element.textContent)).toBe(LONG_NAME);
      // One column: the model panel and the settings come after the photos.
      // The virtualised list re-measures its cards a frame after the width changes (a ResizeObserver).
      await expect
        .poll(async () => {
          const lastCard = (await page.getByTestId('photo-card').last().boundingBox())!;
          return (await page.getByTestId('model-status').boundingBox())!.y - (lastCard.y + lastCard.height);
        })
        .toBeGreaterThan(0);
      const modelPanel = await page.getByTestId('model-status').boundingBox();
      const settings = await page.getByRole('heading', { name: 'Settings' }).boundingBox();
      expect(settings!.y).toBeGreaterThan(modelPanel!.y);
      expect(modelPanel!.x + modelPanel!.width).toBeLessThanOrEqual(320);

      const targets = await controlTargets(page);
      expect(tooSmall(targets)).toEqual([]);
      for (const name of MAIN_ACTIONS) {
        const target = targets.find((candidate) => candidate.name === name);
        expect(target, name).toBeDefined();
        expect(target!.height, name).toBeGreaterThanOrEqual(TOUCH_ACTION_PX);
      }
      const sliders = targets.filter((target) => target.name === 'range');
      expect(sliders).toHaveLength(3);
      for (const slider of sliders) expect(slider.height).toBeGreaterThanOrEqual(TOUCH_ACTION_PX);
      const smallest = Math.min(...targets.map((target) => Math.min(target.width, target.height)));
      const mainActions = Math.min(...targets.filter((target) => MAIN_ACTIONS.includes(target.name)).map((target) => target.height));
      console.log(`${device} at 320 px: ${targets.length} visible controls, smallest side ${smallest} px, main actions at least ${mainActions} px tall`);

      expect(await seriousViolations(page)).toEqual([]);
      const slug = device.replace(' ', '-').toLowerCase();
      await screenshotScreens(page, testInfo, `phone-${slug}-320`);
      await page.setViewportSize(phone(device).viewport);
      await screenshotScreens(page, testInfo, `phone-${slug}`);
    });
  });
}

test('"Take a photo" opens the camera app on a touch screen, and its photo is captioned; a mouse gets no such button, and 24 px targets', async ({ page, browser, baseURL }) => {
  await openReadyApp(page);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Take a photo' }).tap();
  const input = (await chooser).element();
  expect(await input.getAttribute('capture')).toBe('environment');
  expect(await input.getAttribute('accept')).toBe('image/*');
  await (await chooser).setFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from(generatedInput('white.png', 'image/png').base64, 'base64') });
  await expectCaptioned(page, 'photo.png');

  // Playwright applies this file's phone options to new contexts too, unless told otherwise.
  const desktop = await browser.newPage({ baseURL, viewport: { width: 1200, height: 900 }, hasTouch: false, isMobile: false });
  try {
    await desktop.goto('./?backend=webgl');
    await expect(desktop.getByRole('button', { name: 'Choose photos' })).toBeVisible();
    await expect(desktop.getByRole('button', { name: 'Take a photo' })).toHaveCount(0);
    // With a mouse the 24 px minimum holds too, also in a window as narrow as a phone.
    expect(tooSmall(await controlTargets(desktop))).toEqual([]);
    await expectNoSidewaysScrolling(desktop, 'desktop, narrowed');
    expect(tooSmall(await controlTargets(desktop))).toEqual([]);
  } finally {
    await desktop.close();
  }
});

test('the camera starts facing the world, switches sides, keeps its list, shows the caption large under a full-width video', async ({ page }, testInfo) => {
  // Two cameras, each reporting its side; every one plays the fake camera's video.
  await page.addInitScript(() => {
    window.cameraRequests = [];
    const cameras = [
      { deviceId: 'front-camera', facing: 'user', label: 'Front camera' },
      { deviceId: 'rear-camera', facing: 'environment', label: 'Rear camera' },
    ];
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const video = constraints?.video as MediaTrackConstraints;
      window.cameraRequests.push(JSON.parse(JSON.stringify(video)) as MediaTrackConstraints);
      const byId = (video.deviceId as ConstrainDOMStringParameters | undefined)?.exact;
      const facing = video.facingMode as ConstrainDOMStringParameters | undefined;
      const camera = byId ? cameras.find((c) => c.deviceId === byId) : cameras.find((c) => c.facing === (facing?.exact ?? facing?.ideal)) ?? (facing?.exact ? undefined : cameras[0]);
      if (!camera) throw new DOMException('no such camera', 'OverconstrainedError');
      const stream = await getUserMedia({ video: { width: video.width, height: video.height } });
      const [track] = stream.getVideoTracks();
      const settings = track.getSettings();
      track.getSettings = () => ({ ...settings, deviceId: camera.deviceId, facingMode: camera.facing });
      return stream;
    };
    navigator.mediaDevices.enumerateDevices = async () =>
      cameras.map(({ deviceId, label }) => ({ deviceId, label, kind: 'videoinput', groupId: deviceId, toJSON: () => ({}) }) as MediaDeviceInfo);
  });
  await openReadyApp(page);
  await page.getByRole('button', { name: 'Start camera' }).tap();
  const picker = page.getByTestId('camera-picker');
  await expect(picker).toHaveValue('rear-camera');
  expect(await page.evaluate(() => window.cameraRequests[0].facingMode)).toEqual({ ideal: 'environment' });

  const caption = page.getByTestId('camera-caption');
  await expect(caption).toHaveText(LIVE_CAPTION);
  const video = (await page.getByTestId('camera-video').boundingBox())!;
  const panel = (await page.getByTestId('camera').boundingBox())!;
  const captionBox = (await caption.boundingBox())!;
  expect(video.width).toBeGreaterThan(panel.width - 30); // the panel's padding either side
  expect(captionBox.y).toBeGreaterThanOrEqual(video.y + video.height);
  expect(Number.parseFloat(await caption.evaluate((element) => getComputedStyle(element).fontSize))).toBeGreaterThanOrEqual(24);
  await page.getByTestId('camera').evaluate((panel) => panel.scrollIntoView());
  await page.screenshot({ path: screenshotPath(testInfo, 'phone-camera.png') });

  const switchButton = page.getByRole('button', { name: 'Switch camera' });
  expect((await switchButton.boundingBox())!.height).toBeGreaterThanOrEqual(TOUCH_ACTION_PX);
  await switchButton.tap();
  await expect(picker).toHaveValue('front-camera');
  expect(await page.evaluate(() => window.cameraRequests.at(-1)!.facingMode)).toEqual({ exact: 'user' });
  await expect(caption).toHaveText(LIVE_CAPTION);
  await switchButton.tap();
  await expect(picker).toHaveValue('rear-camera');
  // The list of cameras stays, for phones with more than two.
  await picker.selectOption('front-camera');
  await expect(picker).toHaveValue('front-camera');
  expect(await page.evaluate(() => window.cameraRequests.at(-1)!.deviceId)).toEqual({ exact: 'front-camera' });
  await expect(caption).toHaveText(LIVE_CAPTION);

  await setHidden(page, true);
  await expect(caption).toHaveText('Paused while this tab is hidden.');
  await setHidden(page, false);
  await expect(caption).toHaveText(LIVE_CAPTION);
});

test('read aloud: each new stable live caption once, never twice in a row, without holding up captioning; a card reads its caption', async ({ page }) => {
  // Utterances shorter than a shade of the fake video (4 s), long enough that frames are captioned during one.
  await stubSpeech(page, { voices: true, utteranceMs: 3000 });
  await openReadyApp(page);
  await page.getByLabel('Read new captions aloud').check();
  await page.getByRole('button', { name: 'Start camera' }).tap();
  const caption = page.getByTestId('camera-caption');
  await expect(caption).toHaveText(LIVE_CAPTION);
  // Every caption the page shows, as it changes.
  await caption.evaluate((element) => {
    const shown = [element.textContent ?? ''];
    (window as unknown as { shownCaptions: string[] }).shownCaptions = shown;
    new MutationObserver(() => shown.at(-1) !== element.textContent && shown.push(element.textContent ?? '')).observe(element, { childList: true, characterData: true, subtree: true });
  });

  await test.step('frames go on being captioned while a caption is spoken', async () => {
    await expect.poll(() => page.evaluate(() => window.speechSynthesis.speaking)).toBe(true);
    const framesAtSpeaking = await framesCaptioned(page);
    await expect.poll(() => framesCaptioned(page), { timeout: 1500 }).toBeGreaterThan(framesAtSpeaking);
    expect(await page.evaluate(() => window.speechSynthesis.speaking)).toBe(true);
  });

  await expect.poll(() => page.evaluate(() => (window as unknown as { shownCaptions: string[] }).shownCaptions.length), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
  const shown = await page.evaluate(() => (window as unknown as { shownCaptions: string[] }).shownCaptions);
  const spoken = await page.evaluate(() => window.spoken);
  expect(spoken.slice(0, shown.length)).toEqual(shown);
  spoken.slice(1).forEach((text, index) => expect(text, 'spoken twice in a row').not.toBe(spoken[index]));

  await page.getByRole('button', { name: 'Stop camera' }).tap();
  await dropFiles(page, [generatedInput('white.png', 'image/png')]);
  await expectCaptioned(page, 'white.png');
  const readButton = card(page, 'white.png').getByRole('button', { name: 'Read alt text of white.png aloud' });
  expect((await readButton.boundingBox())!.height).toBeGreaterThanOrEqual(TOUCH_ACTION_PX);
  await readButton.tap();
  await expect.poll(() => page.evaluate(() => window.spoken.at(-1))).toBe('A white square.');
});

test('where the browser has no voice, the page says so and offers nothing to read with', async ({ page }) => {
  await stubSpeech(page, { voices: false, utteranceMs: 0 });
  await openReadyApp(page);
  await expect(page.getByTestId('no-voice')).toHaveText(/no voice on this device/);
  await expect(page.getByLabel('Read new captions aloud')).toBeDisabled();
  await dropFiles(page, [generatedInput('white.png', 'image/png')]);
  await expectCaptioned(page, 'white.png');
  await expect(card(page, 'white.png').getByRole('button', { name: /aloud/ })).toHaveCount(0);
});

test('with Data Saver on, the page asks before downloading the model and says its size', async ({ page, request }, testInfo) => {
  await page.addInitScript(() => Object.defineProperty(navigator, 'connection', { value: { saveData: true }, configurable: true }));
  const modelRequests: string[] = [];
  page.on('request', (sent) => /\/models\/[^/]+\//.test(new URL(sent.url()).pathname) && modelRequests.push(sent.url()));
  const list = (await (await request.get('models/models.json')).json()) as { default: string; models: { id: string; bytes: number }[] };
  const bytes = list.models.find((model) => model.id === list.default)!.bytes;
  expect(bytes).toBeGreaterThan(0);

  await page.goto('./?backend=webgl');
  const question = page.getByTestId('download-question');
  await expect(question.getByRole('heading')).toHaveText(`Download the model (${formatBytes(bytes)})?`);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'asking');
  await dropFiles(page, [generatedInput('white.png', 'image/png')]);
  await expect(card(page, 'white.png')).toHaveAttribute('data-state', 'waiting');
  expect(modelRequests).toEqual([]);
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: screenshotPath(testInfo, 'phone-data-saver.png') });

  await question.getByRole('button', { name: /^Download/ }).tap();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready');
  await expect(question).toHaveCount(0);
  await expectCaptioned(page, 'white.png');
  expect(modelRequests.length, 'the request probe sees the model download').toBeGreaterThan(0);
});
