/**
 * How many threads the WebAssembly backend runs on. tfjs's threaded build needs SharedArrayBuffer,
 * which only a cross-origin isolated page (and its workers) has; otherwise the single-threaded SIMD
 * build runs. Automatically the app keeps tfjs's own rule, half the logical cores (most are
 * hyperthreads) and at most 4: on this project's 2-core build machine, shared with other jobs, 2
 * threads made the encoder 2–3× slower than 1 (threads that wait on each other at every op lose
 * badly when the CPU is oversubscribed). `?threads=N` pins any count from 1 to 8.
 */

/** tfjs's own cap for its automatic thread count. */
export const MAX_AUTOMATIC_THREADS = 4;

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
  const threads = Math.max(1, Math.min(Math.floor(logicalCores / 2), MAX_AUTOMATIC_THREADS));
  return { threads, reason: `half the ${logicalCores} logical cores, at most ${MAX_AUTOMATIC_THREADS}; ?threads=N in the address sets it` };
}

/** `?NAME=N` in the address (1 ≤ N ≤ max), or null when absent or not such a number. */
export function parseCountParameter(search: string, name: string, max: number): number | null {
  const value = new URLSearchParams(search).get(name);
  if (value === null || !/^\d+$/.test(value)) return null;
  const count = Number(value);
  return count >= 1 && count <= max ? count : null;
}

/** `?threads=N` (1 ≤ N ≤ MAX_PINNED_THREADS), or null when absent or not such a number. */
export function parseThreadsParameter(search: string): number | null {
  return parseCountParameter(search, 'threads', MAX_PINNED_THREADS);
}
