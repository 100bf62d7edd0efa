import type { Distribution } from './report-types';

/** Nearest-rank percentile (p in 0–100) of the values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function distribution(values: readonly number[]): Distribution {
  return { median: percentile(values, 50), p90: percentile(values, 90), n: values.length };
}
