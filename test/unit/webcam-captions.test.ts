import { describe, expect, it } from 'vitest';
import { CONFIRMING_FRAMES, NO_CAPTION, nextStableCaption, SWITCH_MARGIN, type StableCaption } from '../../src/store/caption-stability';
import { liveRate, RATE_WINDOW_MS, recordFrame, type CaptionedFrame } from '../../src/store/live-rate';
import type { Caption } from '../../src/worker/protocol';

function caption(text: string, p: number): Caption {
  return { text, words: text.split(' '), logProb: Math.log(p), p };
}

/** Feeds frames (each a best-first list) one after the other and returns the shown sentence after each. */
function shownAfterEach(frames: Caption[][]): (string | undefined)[] {
  let state: StableCaption = NO_CAPTION;
  return frames.map((captions, index) => {
    state = nextStableCaption(state, { captions, grabbedAt: index * 100 });
    return state.shown?.captions[0]?.text;
  });
}

const DOG = 'a dog on a couch .';
const DOG_SOFA = 'a dog on a sofa .';
const CAT = 'a cat on a couch .';

describe('live caption anti-flicker rule', () => {
  it('shows the first frame at once', () => {
    expect(shownAfterEach([[caption(DOG, 0.01)]])).toEqual([DOG]);
  });

  it('holds the shown caption while a close rival wins fewer than CONFIRMING_FRAMES frames in a row', () => {
    const dogWins = [caption(DOG, 0.011), caption(DOG_SOFA, 0.01)];
    const sofaWins = [caption(DOG_SOFA, 0.011), caption(DOG, 0.01)];
    const flickering = [dogWins, sofaWins, sofaWins, dogWins, sofaWins, dogWins];
    expect(shownAfterEach(flickering)).toEqual(Array(flickering.length).fill(DOG));
  });

  it('switches when a different caption wins CONFIRMING_FRAMES frames in a row', () => {
    const frames = [[caption(DOG, 0.011), caption(DOG_SOFA, 0.01)], ...Array(CONFIRMING_FRAMES).fill([caption(DOG_SOFA, 0.011), caption(DOG, 0.01)])];
    const shown = shownAfterEach(frames);
    expect(shown.at(-2)).toBe(DOG);
    expect(shown.at(-1)).toBe(DOG_SOFA);
  });

  it('switches to the newest caption when the shown one loses CONFIRMING_FRAMES frames in a row to different rivals', () => {
    // Beam 1 lists one caption a frame, so no frame bounds the shown caption's probability; on a moving scene each frame may say something else.
    const greedyFrames = [[caption(DOG, 0.02)], [caption(CAT, 0.01)], [caption(DOG_SOFA, 0.01)], [caption(CAT, 0.01)]];
    expect(shownAfterEach(greedyFrames)).toEqual([DOG, DOG, DOG, CAT]);
    expect(shownAfterEach([...greedyFrames.slice(0, 3), [caption(DOG, 0.02)], [caption(CAT, 0.01)]])).toEqual([DOG, DOG, DOG, DOG, DOG]);
  });

  it('switches on a single frame where the rival is SWITCH_MARGIN times as probable as the shown caption', () => {
    expect(shownAfterEach([[caption(DOG, 0.02)], [caption(CAT, SWITCH_MARGIN * 0.01), caption(DOG, 0.01)]])).toEqual([DOG, CAT]);
    expect(shownAfterEach([[caption(DOG, 0.02)], [caption(CAT, 0.015), caption(DOG, 0.01)]])).toEqual([DOG, DOG]);
  });

  it("bounds the shown caption's probability by the list's last one when the frame does not list it", () => {
    const unlisted = [caption(CAT, 0.05), caption(DOG_SOFA, 0.02)];
    expect(shownAfterEach([[caption(DOG, 0.2)], unlisted])).toEqual([DOG, CAT]);
    const closeUnlisted = [caption(CAT, 0.03), caption(DOG_SOFA, 0.02)];
    expect(shownAfterEach([[caption(DOG, 0.2)], closeUnlisted])).toEqual([DOG, DOG]);
  });

  it('refreshes the shown caption (runner-ups and age) when a frame agrees, and restarts a rival streak', () => {
    let state = nextStableCaption(NO_CAPTION, { captions: [caption(DOG, 0.01)], grabbedAt: 0 });
    state = nextStableCaption(state, { captions: [caption(CAT, 0.011), caption(DOG, 0.01)], grabbedAt: 100 });
    expect(state.challenger).toEqual({ text: CAT, frames: 1 });
    const agreeing = { captions: [caption(DOG, 0.012), caption(CAT, 0.01)], grabbedAt: 200 };
    state = nextStableCaption(state, agreeing);
    expect(state).toEqual({ shown: agreeing, challenger: null });
  });

  it('ignores frames without captions', () => {
    const state = nextStableCaption(NO_CAPTION, { captions: [caption(DOG, 0.01)], grabbedAt: 0 });
    expect(nextStableCaption(state, { captions: [], grabbedAt: 100 })).toBe(state);
  });
});

describe('live caption rate', () => {
  it('counts captions per second between the first and last caption in the window, and averages latency', () => {
    let frames: CaptionedFrame[] = [];
    for (let index = 0; index < 5; index++) frames = recordFrame(frames, { grabbedAt: index * 250 - 100, captionedAt: index * 250 });
    expect(liveRate(frames)).toEqual({ captionsPerSecond: 4, meanLatencyMs: 100, frames: 5 });
  });

  it('forgets captions older than the window and has no rate for a single caption', () => {
    let frames = recordFrame([], { grabbedAt: 0, captionedAt: 100 });
    expect(liveRate(frames).captionsPerSecond).toBe(0);
    frames = recordFrame(frames, { grabbedAt: 100 + RATE_WINDOW_MS, captionedAt: 200 + RATE_WINDOW_MS });
    expect(frames).toHaveLength(1);
  });
});
