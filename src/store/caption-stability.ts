/**
 * Anti-flicker rule for live captions. Consecutive camera frames are nearly identical, yet the beam
 * search's best sentence can swap between close rivals from one frame to the next. The shown caption
 * therefore changes only when
 *   - it has not been the best caption of CONFIRMING_FRAMES consecutive frames, whichever sentences
 *     were (the newest is then shown: the shown one is no longer what the camera sees, and a greedy
 *     search's best sentence can differ on every frame of a moving scene), or
 *   - a different sentence is, on a single frame, at least SWITCH_MARGIN times as probable as the
 *     shown sentence on that same frame (if the shown sentence is not in that frame's list, its
 *     probability there is at most that of the list's last caption, which is the bound used; a list
 *     of one caption, as beam 1 gives, bounds nothing).
 * A frame whose best caption is the shown sentence refreshes it (probabilities, runner-ups, age) and
 * resets the streak. Frames that produced no caption change nothing.
 */
import type { Caption } from '../worker/protocol';

export const CONFIRMING_FRAMES = 3;
export const SWITCH_MARGIN = 2;

/** The captions of one frame, best first, and when the frame was grabbed (performance.now()). */
export interface FrameCaptions {
  captions: Caption[];
  grabbedAt: number;
}

export interface StableCaption {
  /** The frame whose best caption is shown: the newest one that agreed with it. */
  shown: FrameCaptions | null;
  /** The latest frame's different best sentence, and on how many frames in a row the shown one was not the best. */
  challenger: { text: string; frames: number } | null;
}

export const NO_CAPTION: StableCaption = { shown: null, challenger: null };

/** The shown sentence's probability on this frame, or an upper bound when the frame did not list it. */
function shownProbabilityBound(shownText: string, captions: Caption[]): number {
  return (captions.find((caption) => caption.text === shownText) ?? captions[captions.length - 1]).p;
}

export function nextStableCaption(current: StableCaption, frame: FrameCaptions): StableCaption {
  const best = frame.captions[0];
  if (!best) return current;
  const shownText = current.shown?.captions[0]?.text;
  if (shownText === undefined || best.text === shownText) return { shown: frame, challenger: null };
  const frames = (current.challenger?.frames ?? 0) + 1;
  const confirmed = frames >= CONFIRMING_FRAMES;
  const clearlyBetter = best.p >= SWITCH_MARGIN * shownProbabilityBound(shownText, frame.captions);
  if (confirmed || clearlyBetter) return { shown: frame, challenger: null };
  return { shown: current.shown, challenger: { text: best.text, frames } };
}
