/**
 * How live the camera captions are: captions per second and frame-to-caption latency over the last
 * few seconds, so a slow start (model warm-up, a photo in between) stops counting after a while.
 */
export const RATE_WINDOW_MS = 5000;

export interface CaptionedFrame {
  /** When the frame was grabbed from the video and when its captions arrived (performance.now()). */
  grabbedAt: number;
  captionedAt: number;
}

export interface LiveRate {
  captionsPerSecond: number;
  /** Mean time from grabbing a frame to having its captions, in milliseconds. */
  meanLatencyMs: number;
  /** Frames captioned inside the window. */
  frames: number;
}

export const NO_RATE: LiveRate = { captionsPerSecond: 0, meanLatencyMs: 0, frames: 0 };

/** Drops frames older than the window (relative to the newest one) and adds the new one. */
export function recordFrame(recent: readonly CaptionedFrame[], frame: CaptionedFrame): CaptionedFrame[] {
  return [...recent.filter((old) => frame.captionedAt - old.captionedAt <= RATE_WINDOW_MS), frame];
}

export function liveRate(recent: readonly CaptionedFrame[]): LiveRate {
  if (recent.length === 0) return NO_RATE;
  const meanLatencyMs = recent.reduce((sum, frame) => sum + frame.captionedAt - frame.grabbedAt, 0) / recent.length;
  // n captions arriving span n - 1 intervals; a single one has no rate yet.
  const spanMs = recent[recent.length - 1].captionedAt - recent[0].captionedAt;
  const captionsPerSecond = spanMs > 0 ? ((recent.length - 1) * 1000) / spanMs : 0;
  return { captionsPerSecond, meanLatencyMs, frames: recent.length };
}
