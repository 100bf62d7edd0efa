/** An object the model's encoder (a COCO detector) found in the photo. */
export interface DetectedObject {
  /** COCO class name, e.g. "person", "hot dog". */
  label: string;
  /** Detector confidence, 0–1. */
  score: number;
  /** [x, y, width, height] as fractions (0–1) of the image's width and height, from its top left. */
  box: [number, number, number, number];
}
