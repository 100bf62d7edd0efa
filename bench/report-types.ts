/** The benchmark's report: built by the browser harness (harness/) and the Node driver (run.ts). */
import type { BackendName } from '../src/worker/protocol';

export interface Distribution {
  median: number;
  p90: number;
  n: number;
}

export interface DecoderReport {
  /** Beam search alone (all steps), per photo. */
  beamSearchMs: Distribution;
  /** Photo start (before decoding it) → first partial captions. */
  firstHypothesisMs: Distribution;
  /** Device → CPU bytes per decoding step (median over all steps of all photos), and the most in one step. */
  readBackBytesPerStep: { median: number; max: number };
  /** The first decoding step alone (one row: the start word). */
  firstStepMs: Distribution;
  steps: Distribution;
}

export interface MemoryReport {
  captions: number;
  numTensors: number;
  numBytes: number;
  /** WebGL only. */
  numBytesInGPU: number | null;
}

export interface BackendReport {
  backend: BackendName;
  /** WebAssembly threads the run had (null off wasm). */
  threads: number | null;
  /** Set when this backend could not start here. */
  skipped?: string;
  photos: number;
  prepMs: Distribution;
  encoderMs: Distribution;
  /**
   * Device-side top-k (the app's decoder), the full softmax read back each step (bench only), and
   * top-k grounded in the photo's detections (null for models that cannot ground).
   */
  decoder: { topK: DecoderReport; fullSoftmax: DecoderReport; grounded: DecoderReport | null };
  /** Beam search's share of a photo's time (prep + encoder + top-k beam search), medians. */
  beamSearchShare: number;
  throughput: { matMulGflops: number; convGflops: number };
  /** Multiply-adds × 2 of the encoder's convolutions and matrix products (from tf.profile). */
  encoderGflop: number;
  /** Encoder GFLOP / median encoder time, and as a share of the measured conv throughput. */
  encoderGflops: number;
  encoderShareOfConvThroughput: number;
  memory: MemoryReport[];
}

export interface HarnessConfig {
  modelUrl: string;
  /** Real photos; variants (crops, flips, rescales) of the first three make up the rest of photoCount. */
  photoUrls: string[];
  photoCount: number;
  /** Per backend: stop after this long even if photos are left (at least MIN_PHOTOS are always run). */
  photoBudgetMs: number;
  /** Captions for the memory check, and its time budget. */
  memoryCaptions: number;
  memoryBudgetMs: number;
  beamSize: number;
  maxLength: number;
  /** WebAssembly threads (?threads= in the app); null: as the app decides. */
  threads: number | null;
}
