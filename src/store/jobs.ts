import { create } from 'zustand';
import type { Caption, CaptionUpdate, DetectedObject } from '../worker/protocol';

export type JobState =
  | { kind: 'waiting' }
  | { kind: 'reading' }
  /** beam is null until the first decoding step has run. */
  | { kind: 'captioning'; beam: CaptionUpdate | null }
  | { kind: 'done'; captions: Caption[]; objects: DetectedObject[] | null; elapsedMs: number }
  | { kind: 'failed'; message: string };

export interface PhotoJob {
  id: string;
  file: File;
  /** Object URL of the file for the card's thumbnail; revoked when the job is removed. */
  previewUrl: string;
  state: JobState;
}

interface JobsState {
  jobs: PhotoJob[];
  addFiles: (files: readonly File[]) => void;
  setJobState: (jobId: string, state: JobState) => void;
  removeJob: (jobId: string) => void;
  clearFinished: () => void;
}

let nextJobNumber = 1;

function isFinished(job: PhotoJob): boolean {
  return job.state.kind === 'done' || job.state.kind === 'failed';
}

export const useJobsStore = create<JobsState>()((set, get) => ({
  jobs: [],
  addFiles: (files) =>
    set(({ jobs }) => ({
      jobs: [
        ...jobs,
        ...files.map((file) => ({
          id: `job-${nextJobNumber++}`,
          file,
          previewUrl: URL.createObjectURL(file),
          state: { kind: 'waiting' } as const,
        })),
      ],
    })),
  setJobState: (jobId, state) =>
    set(({ jobs }) => ({ jobs: jobs.map((job) => (job.id === jobId ? { ...job, state } : job)) })),
  removeJob: (jobId) => {
    get().jobs.filter((job) => job.id === jobId).forEach((job) => URL.revokeObjectURL(job.previewUrl));
    set(({ jobs }) => ({ jobs: jobs.filter((job) => job.id !== jobId) }));
  },
  clearFinished: () => {
    get().jobs.filter(isFinished).forEach((job) => URL.revokeObjectURL(job.previewUrl));
    set(({ jobs }) => ({ jobs: jobs.filter((job) => !isFinished(job)) }));
  },
}));

export function findJob(jobId: string): PhotoJob | undefined {
  return useJobsStore.getState().jobs.find((job) => job.id === jobId);
}
