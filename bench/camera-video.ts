/**
 * The camera video the bench's Chromium plays as its fake camera (`--camera` and the app's camera
 * stage): 640×480 at 30 frames a second, a slow pan over a photo of a busy office, then a cut to a
 * photo of boats in a harbour, panned the same way; the fake camera loops it, so it also cuts back.
 * Every frame differs from the one before (the pan is resampled bilinearly, never still). The
 * top-left SCENE_MARK square is white in the office and black in the harbour, so the bench can tell
 * which scene a camera frame shows without asking the model (bench/camera.ts).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodePhoto } from '../src/node/decode-photo';
import type { RgbaImage } from '../src/captioner';
import { y4mFrame, y4mHeader } from '../e2e/fake-camera';
import { SHARED_PHOTOS, STDLIB_PHOTOS } from './photo-set';

export const CAMERA_VIDEO = { width: 640, height: 480, framesPerSecond: 30, secondsPerScene: 4 };
/** Side of the scene mark, in pixels from the top-left corner: 0.08 % of the frame. */
export const SCENE_MARK = 16;

/** COCO val2017: "The workers are working at their computers at their desks." (in ../shared/data). */
const OFFICE_PHOTO = path.join(SHARED_PHOTOS, '000000367095.jpg');
const HARBOUR_PHOTO = STDLIB_PHOTOS[2];
/** The share of the photo's height the frame shows; the rest is room for the pan. */
const VIEW_HEIGHT = 0.85;

/** The scenes in the order the video plays them; the office is an @stdlib photo where ../shared is absent. */
export function cameraScenes(): { name: string; file: string }[] {
  const office = existsSync(OFFICE_PHOTO) ? { name: 'busy office', file: OFFICE_PHOTO } : { name: 'airplane from above (../shared absent)', file: STDLIB_PHOTOS[0] };
  return [office, { name: 'boats in a harbour', file: HARBOUR_PHOTO }];
}

/** Frame `t` (0–1 through its scene) of a left-to-right pan over `photo` as RGB, with the scene's mark. */
function panFrame(photo: RgbaImage, t: number, markShade: number): Uint8Array {
  const { width, height } = CAMERA_VIDEO;
  const viewHeight = photo.height * VIEW_HEIGHT;
  const viewWidth = Math.min(photo.width, (viewHeight * width) / height);
  const left = t * (photo.width - viewWidth);
  const top = (photo.height - viewHeight) / 2;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(photo.height - 1.001, Math.max(0, top + ((y + 0.5) * viewHeight) / height - 0.5));
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const out = (y * width + x) * 3;
      if (x < SCENE_MARK && y < SCENE_MARK) {
        rgb.fill(markShade, out, out + 3);
        continue;
      }
      const sx = Math.min(photo.width - 1.001, Math.max(0, left + ((x + 0.5) * viewWidth) / width - 0.5));
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const top0 = (y0 * photo.width + x0) * 4;
      const below0 = top0 + photo.width * 4;
      for (let c = 0; c < 3; c++) {
        const upper = photo.data[top0 + c] * (1 - fx) + photo.data[top0 + 4 + c] * fx;
        const lower = photo.data[below0 + c] * (1 - fx) + photo.data[below0 + 4 + c] * fx;
        rgb[out + c] = Math.round(upper * (1 - fy) + lower * fy);
      }
    }
  }
  return rgb;
}

/** Writes the video (about 110 MB of raw frames) unless it is already there; returns the scenes it plays. */
export async function writeCameraVideo(file: string): Promise<{ name: string; file: string }[]> {
  const scenes = cameraScenes();
  if (existsSync(file)) return scenes;
  const { width, height, framesPerSecond, secondsPerScene } = CAMERA_VIDEO;
  const framesPerScene = framesPerSecond * secondsPerScene;
  const frames: Buffer[] = [y4mHeader(width, height, framesPerSecond)];
  for (const [index, scene] of scenes.entries()) {
    const photo = await decodePhoto(await readFile(scene.file));
    for (let frame = 0; frame < framesPerScene; frame++) frames.push(y4mFrame(width, height, panFrame(photo, frame / (framesPerScene - 1), index === 0 ? 255 : 0)));
  }
  await writeFile(file, Buffer.concat(frames));
  return scenes;
}
