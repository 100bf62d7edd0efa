/**
 * How many threads the WebAssembly backend runs on. tfjs's threaded build needs SharedArrayBuffer,
 * which only a cross-origin isolated page (and its workers) has; otherwise the single-threaded SIMD
 * build runs. Left to itself tfjs sizes its pool to half the logical cores, capped at 4 (one thread
 * on a 2-core machine); the app uses every core up to that cap, because the page's own thread is
 * mostly idle while the worker computes.
 */

/** More threads than this gained little on the encoder's small convolutions (tfjs caps its default there too). */
export const MAX_AUTOMATIC_THREADS = 4;

/** `?threads=N` in the address may ask for at most this many: tfjs starts 8 threads with its module. */
export const MAX_PINNED_THREADS = 8;

export interface WasmThreadPlan {
  /** Passed to setThreadsCount; the build may still run fewer (the single-threaded one runs 1). */
  threads: number;
  /** For the UI: why this many. */
  reason: string;
}

export function planWasmThreads({ pinned, crossOriginIsolated, logicalCores }: { pinned: number | null; crossOriginIsolated: boolean; logicalCores: number }): WasmThreadPlan {
  if (!crossOriginIsolated) {
    return { threads: 1, reason: 'the page is not cross-origin isolated, so WebAssembly runs single-threaded' };
  }
  if (pinned !== null) return { threads: pinned, reason: 'set by ?threads= in the address' };
  const threads = Math.max(1, Math.min(logicalCores, MAX_AUTOMATIC_THREADS));
  return { threads, reason: `one per logical core (${logicalCores}), at most ${MAX_AUTOMATIC_THREADS}` };
}

/** `?threads=N` (1 ≤ N ≤ MAX_PINNED_THREADS), or null when absent or not such a number. */
export function parseThreadsParameter(search: string): number | null {
  const value = new URLSearchParams(search).get('threads');
  if (value === null || !/^\d+$/.test(value)) return null;
  const threads = Number(value);
  return threads >= 1 && threads <= MAX_PINNED_THREADS ? threads : null;
}
