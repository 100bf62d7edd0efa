/**
 * The live camera as the page shows it: its status, the cameras to choose from, the stable caption
 * and rate of its frames. src/services/webcam.ts runs the camera and writes here.
 */
import { create } from 'zustand';
import type { DetectedObject } from '../worker/protocol';
import { NO_CAPTION, type StableCaption } from './caption-stability';
import type { CaptionedFrame } from './live-rate';

export type CameraProblem = 'insecure-context' | 'denied' | 'no-camera' | 'busy' | 'disconnected' | 'failed';

export type CameraStatus =
  | { phase: 'off' }
  | { phase: 'starting' }
  /** paused: the tab is hidden, so no frames are captioned. */
  | { phase: 'live'; paused: boolean }
  | { phase: 'error'; problem: CameraProblem; message: string };

export interface CameraChoice {
  deviceId: string;
  label: string;
}

interface WebcamState {
  status: CameraStatus;
  cameras: CameraChoice[];
  /** The running (or last chosen) camera; null asks for the rear one. */
  deviceId: string | null;
  /** Which way the running camera faces ('user', 'environment'…), where the browser says. */
  facing: string | null;
  caption: StableCaption;
  recentFrames: CaptionedFrame[];
  /** Why the latest frame got no caption (e.g. the model failed), until one succeeds. */
  frameError: string | null;
  /** What the detector found in the latest captioned frame; null when the model lists no objects. */
  objects: DetectedObject[] | null;
}

/** A camera session's captions and figures, empty: at each start and stop. */
export const INITIAL_SESSION = { caption: NO_CAPTION, recentFrames: [], frameError: null, objects: null } satisfies Partial<WebcamState>;

export const useWebcamStore = create<WebcamState>()(() => ({
  status: { phase: 'off' },
  cameras: [],
  deviceId: null,
  facing: null,
  ...INITIAL_SESSION,
}));
