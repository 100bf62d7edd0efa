/** What card.json says about a package's detector and the grounding of captions in it (their own home, so card.ts needs nothing else of objects.ts). */

/** card.json `detector`: where the graph exposes the detector and how to read it. */
export interface DetectorSpec {
  /** Node giving [1, classes] evidence per class (the heatmap's maximum), the grounding's input. */
  classScores: string;
  /** Node giving [1, N, 6] detections: x1, y1, x2, y2 in model-input pixels, score, class index. */
  detections: string;
  /** Class names by index. */
  labels: string[];
  /** Detections below this score are not shown (chosen on the validation split). */
  minScore: number;
  /** At most this many objects are listed. */
  maxObjects: number;
}

/** How detector evidence becomes a log-prior on object words (card.json `grounding`, tuned on validation). */
export interface GroundingSettings {
  /** Weight of the log-prior; 0 turns grounding off. */
  lambda: number;
  /** A class whose evidence reaches this score is taken as present (no penalty). */
  threshold: number;
  /**
   * Lower thresholds for classes the detector finds weakly even when people name them (small or
   * occluded objects: balls, tables), calibrated on training photos; never above `threshold`.
   */
  classThresholds?: Record<string, number>;
  /** Evidence is floored here, which caps the penalty at lambda · log(floor / threshold). */
  floor: number;
  /**
   * The most a word of a class seen above the threshold gains, at evidence 1 (linear from 0 at the
   * threshold): a nudge to name what the detector is sure of. 0 or absent: no gain.
   */
  boost?: number;
  /**
   * A class's evidence counts once per caption; a later word naming the same class gets −repeatPenalty
   * instead (0 or absent: nothing).
   */
  repeatPenalty?: number;
}
