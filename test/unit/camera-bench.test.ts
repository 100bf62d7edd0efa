import { describe, expect, it } from 'vitest';
import { sceneCuts } from '../../bench/camera';
import type { JobDoneEvent } from '../../src/worker/protocol';

/** A camera frame the bench's watcher read `lateMs` after the camera delivered it (page clock = timestamp + 1000 ms here). */
const frame = (deliveredAt: number, scene: number, lateMs = 0) => ({ timestampUs: (deliveredAt - 1000) * 1000, at: deliveredAt + lateMs, scene });
const captioned = (at: number, jobId: string) => ({ at, event: { type: 'job-done', jobId } as JobDoneEvent });

describe("the camera bench's scene cuts", () => {
  it('times each cut from its first frame to the first caption of a frame of the new scene, and the shown caption after it', () => {
    const frames = [frame(100, 0), frame(133, 0, 40), frame(166, 1, 80), frame(200, 1), frame(233, 0, 5)];
    const cuts = sceneCuts(
      {
        frames,
        // frame-2 was posted before the cut: its caption does not answer it.
        jobScenes: { 'frame-1': { scene: 0, postedAt: 101 }, 'frame-2': { scene: 0, postedAt: 150 }, 'frame-3': { scene: 1, postedAt: 251 }, 'frame-4': { scene: 0, postedAt: 291 } },
        shown: [
          { at: 150, text: 'A desk.' },
          { at: 300, text: 'Boats.' },
        ],
      },
      [captioned(120, 'frame-1'), captioned(250, 'frame-2'), captioned(290, 'frame-3'), captioned(400, 'frame-4')],
      0,
      1000,
    );
    // Read late (80 ms) does not move the cut: its time comes from the frame's timestamp.
    expect(cuts).toEqual([
      { toScene: 1, frameToCaptionMs: 290 - 166, shownCaptionMs: 300 - 166 },
      { toScene: 0, frameToCaptionMs: 400 - 233, shownCaptionMs: null },
    ]);
  });

  it("reports a cut no caption answered (a frame of the scene's previous turn does not count), and leaves out cuts outside the window", () => {
    const frames = [frame(100, 0), frame(200, 1), frame(300, 0), frame(400, 1)];
    const cuts = sceneCuts({ frames, jobScenes: { 'frame-1': { scene: 0, postedAt: 120 } }, shown: [] }, [captioned(350, 'frame-1')], 150, 350);
    expect(cuts).toEqual([
      { toScene: 1, frameToCaptionMs: null, shownCaptionMs: null },
      { toScene: 0, frameToCaptionMs: null, shownCaptionMs: null },
    ]);
  });
});
