/** Messages between `npm run caption` and its captioning threads (caption-worker.ts). */
import type { NodeBackend } from '../node/runtime';
import type { PhotoRow } from './rows';
import type { CaptionerOptions } from './shared';

/** workerData of a captioning thread. */
export interface WorkerSetup {
  options: CaptionerOptions;
  /** Write each caption to an XMP sidecar next to its photo before reporting the row. */
  xmp: boolean;
}

export type ToWorker = { type: 'caption'; index: number; file: string };

export type FromWorker =
  /** groundingProblem: why a model with a detector cannot ground its captions (Captioner.groundingProblem). */
  | { type: 'ready'; modelName: string; language: string; modelDir: string; backend: NodeBackend; groundingProblem: string | null }
  | { type: 'start-failed'; error: string }
  /** `warning`: something the user should know about a photo that did not fail it (a sidecar left alone). */
  | { type: 'done'; index: number; row: PhotoRow; warning?: string };
