import { isFinished, type PhotoJob, type QueueRun } from './jobs';

export interface QueueProgress {
  finished: number;
  total: number;
  /** null until enough photos are done to tell. */
  timeLeftMs: number | null;
}

/** How many recent photos the rate is taken over: recent enough to follow a change of settings or backend. */
const RATE_WINDOW = 20;

/**
 * Time left for `remaining` photos at the rate of the last RATE_WINDOW finishes (times in ms,
 * ascending), counted from the run's start; null before the first finish.
 */
export function estimateTimeLeftMs(startedAt: number, finishTimes: readonly number[], remaining: number): number | null {
  if (remaining === 0) return 0;
  if (finishTimes.length === 0) return null;
  const recent = finishTimes.slice(-RATE_WINDOW);
  const windowStart = finishTimes.length > RATE_WINDOW ? finishTimes[finishTimes.length - RATE_WINDOW - 1] : startedAt;
  const msPerPhoto = (recent[recent.length - 1] - windowStart) / recent.length;
  return Math.max(0, remaining * msPerPhoto);
}

/**
 * The current run's progress: photos added while others were pending belong to the same run, and
 * so do those a reload interrupted, finished before it or not.
 */
export function queueProgress(jobs: readonly PhotoJob[], run: QueueRun): QueueProgress {
  const ofRun = run.key ? jobs.filter((job) => job.run === run.key) : [];
  const finishTimes = ofRun.flatMap((job) => (isFinished(job) && job.finishedAt !== null ? [job.finishedAt] : [])).sort((a, b) => a - b);
  const finished = ofRun.filter(isFinished).length;
  return { finished, total: ofRun.length, timeLeftMs: estimateTimeLeftMs(run.startedAt, finishTimes, ofRun.length - finished) };
}

/** "about 40 s", "about 3 min", "about 1 h 20 min". */
export function formatTimeLeft(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `about ${Math.max(1, seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
