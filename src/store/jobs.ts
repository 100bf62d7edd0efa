import { create } from 'zustand';
import { toAltText } from '../captioner/format';
import { DEFAULT_CAPTION_LANGUAGE } from '../captioner/language';
import type { Caption, CaptionUpdate, CaptionSettings as RequestSettings, DetectedObject } from '../worker/protocol';

/** The model's best caption: what a finished photo needs at hand (its alt text, "Find a photo", the export's p). */
export interface BestCaption {
  text: string;
  p: number;
}

/**
 * The rest of a photo's result, which only a card in view and the export read: kept in IndexedDB once
 * stored, not in memory (saved-results.ts), so a library of thousands keeps a few hundred bytes a photo.
 */
export interface ResultDetails {
  /** Best first. */
  captions: Caption[];
  objects: DetectedObject[] | null;
  elapsedMs: number;
}

export type JobState =
  | { kind: 'waiting' }
  | { kind: 'reading' }
  /** beam is null until the first decoding step has run. */
  | { kind: 'captioning'; beam: CaptionUpdate | null }
  /** best is null when the model produced no caption. */
  | { kind: 'done'; best: BestCaption | null }
  | { kind: 'failed'; message: string };

/** A finished photo's state with its details, as storage keeps it. */
export type StoredDoneState = { kind: 'done' } & ResultDetails;

export function doneState(details: ResultDetails): Extract<JobState, { kind: 'done' }> {
  const [best] = details.captions;
  return { kind: 'done', best: best ? { text: best.text, p: best.p } : null };
}

/** What a photo was captioned with, kept with its result. */
export interface CaptionSettings extends RequestSettings {
  modelId: string;
  /** The model's caption language (BCP 47); absent in results kept before there was a choice, which are English. */
  language?: string;
}

/** The language of a photo's model captions. */
export const captionLanguageOf = (job: Pick<PhotoJob, 'settings'>) => job.settings?.language ?? DEFAULT_CAPTION_LANGUAGE;

/** A file with the name to show and export: its path inside a dropped folder, or its own name. */
export interface NamedFile {
  file: File;
  name: string;
}

/** A file or folder inside a dropped folder that could not be read (no permission, gone meanwhile): its card says why. */
export interface UnreadableFile {
  name: string;
  problem: string;
}

/** What the page is given to caption; an unreadable file gets a failed card of its own. */
export type AddedFile = File | NamedFile | UnreadableFile;

export interface PhotoJob {
  id: string;
  /** "trip/day 1/IMG_0001.jpg" for a photo from a folder, else the file's name. */
  name: string;
  /**
   * The photo itself, released once it is captioned (the thumbnail stays), except a JPEG's, which its
   * card can download with the alt text embedded (a dropped or chosen file is a reference to the file
   * on disk, not its bytes); null for a restored result.
   */
  file: File | null;
  /**
   * Small JPEG made when the photo is read (null before, and when it cannot be read). A restored
   * one is IndexedDB's handle on the stored blob; a card makes an object URL only while it is shown.
   */
  thumbnail: Blob | null;
  /** Set when the photo is sent to the worker. */
  settings: CaptionSettings | null;
  /** The user's own alt text, used instead of the model's best caption; null when not edited. */
  editedCaption: string | null;
  /** The description the photo itself carries (in its XMP, EXIF or IPTC, in any language); null when none. */
  description: string | null;
  /**
   * The photo's XMP photoshop:CaptionWriter when this tool wrote `description` (machine-written words,
   * kept as such when the photo is downloaded); null for a person's description.
   */
  descriptionWriter: string | null;
  /** The person chose the model's caption over the photo's own description as its alt text. */
  useModelCaption: boolean;
  /** Orders photos across visits: increases with every photo added. */
  position: number;
  /** Loaded from this browser's storage at start-up, not captioned in this visit. */
  restored: boolean;
  /**
   * Photos added while others were still waiting form one run, which the queue's progress counts.
   * Unique across visits, so a run a reload interrupted goes on after it; '' for older results.
   */
  run: string;
  /** Date.now() when it was done or failed in this visit (for the time-left estimate). */
  finishedAt: number | null;
  state: JobState;
}

/** A finished result as storage keeps it (see saved-results.ts). */
export type RestoredJob = Pick<PhotoJob, 'id' | 'name' | 'position' | 'run' | 'thumbnail' | 'settings' | 'editedCaption'> &
  /** Absent in results kept before photos' own descriptions were read. */
  Partial<Pick<PhotoJob, 'description' | 'descriptionWriter' | 'useModelCaption'>> & {
    state: StoredDoneState;
  };

/** A photo still to caption as the queue keeps it (see photo-queue.ts). */
export type QueuedJob = Pick<PhotoJob, 'id' | 'name' | 'position' | 'run'> & { file: File };

export interface QueueRun {
  key: string;
  startedAt: number;
}

interface JobsState {
  jobs: PhotoJob[];
  /** The run new photos join while the queue is busy, and when it started (Date.now()). */
  currentRun: QueueRun;
  addFiles: (files: readonly AddedFile[]) => void;
  /**
   * Puts what storage kept among the photos of this visit, by position: finished results, and the
   * photos still to caption, which wait again. The run those photos were part of goes on, so its
   * progress counts what it finished before the reload too.
   */
  restore: (results: readonly RestoredJob[], queued?: readonly QueuedJob[]) => void;
  setJobState: (jobId: string, state: JobState) => void;
  setThumbnail: (jobId: string, thumbnail: Blob) => void;
  setSettings: (jobId: string, settings: CaptionSettings) => void;
  /** null, empty text or the caption otherwise used go back to that caption. */
  editCaption: (jobId: string, text: string | null) => void;
  /** `machineWriter`: the caption writer when this tool wrote the description (see PhotoJob.descriptionWriter). */
  setDescription: (jobId: string, description: string | null, machineWriter?: string | null) => void;
  /** Whether the alt text is the model's caption rather than the photo's own description. */
  chooseModelCaption: (jobId: string, useModel: boolean) => void;
  removeJobs: (jobIds: readonly string[]) => void;
  clearFinished: () => void;
}

/** Unique across visits too, as restored results keep their ids. */
const SESSION_ID = Date.now().toString(36);
let nextJobNumber = 1;
let nextRunNumber = 1;
/** Starts from the clock (in thousandths of a millisecond, still an exact integer) so a later visit's photos come later. */
let nextPosition = Date.now() * 1000;

export function isFinished(job: PhotoJob): boolean {
  return job.state.kind === 'done' || job.state.kind === 'failed';
}

export function isPending(job: PhotoJob): boolean {
  return !isFinished(job);
}

/** A job for a file just added: waiting, or failed already when it could not be read. */
function addedJob(added: AddedFile, run: string): PhotoJob {
  const photo = { id: `job-${SESSION_ID}-${nextJobNumber++}`, position: nextPosition++, run };
  if (added instanceof File) return waitingJob({ ...photo, name: added.webkitRelativePath || added.name, file: added });
  if ('file' in added) return waitingJob({ ...photo, ...added });
  // No finish time: it took none, so it stays out of the rate of the queue's time left.
  return { ...waitingJob({ ...photo, name: added.name, file: null }), state: { kind: 'failed', message: added.problem } };
}

/** One object per distinct settings: a library's photos share theirs, rather than each keeping a copy. */
const distinctSettings = new Map<string, CaptionSettings>();

function sharedSettings(settings: CaptionSettings | null): CaptionSettings | null {
  if (!settings) return null;
  const key = JSON.stringify(settings);
  const known = distinctSettings.get(key);
  if (known) return known;
  distinctSettings.set(key, settings);
  return settings;
}

/** The run photos added now join: the current one while photos are pending, else a new one. */
function runToJoin(jobs: readonly PhotoJob[], currentRun: QueueRun): QueueRun {
  return jobs.some(isPending) ? currentRun : { key: `${SESSION_ID}-${nextRunNumber++}`, startedAt: Date.now() };
}

export const useJobsStore = create<JobsState>()((set, get) => {
  const updateJob = (jobId: string, change: (job: PhotoJob) => Partial<PhotoJob>) =>
    set(({ jobs }) => ({ jobs: jobs.map((job) => (job.id === jobId ? { ...job, ...change(job) } : job)) }));
  return {
    jobs: [],
    currentRun: { key: '', startedAt: 0 },
    addFiles: (files) =>
      set(({ jobs, currentRun }) => {
        const run = runToJoin(jobs, currentRun);
        const added = files.map((file) => addedJob(file, run.key));
        return { jobs: [...jobs, ...added], currentRun: run };
      }),
    restore: (results, queued = []) =>
      set(({ jobs, currentRun }) => {
        const known = new Set(jobs.map((job) => job.id));
        const run = queued.length > 0 ? runToJoin(jobs, currentRun) : currentRun;
        const interrupted = new Set(queued.map((photo) => photo.run));
        const finished = results.map(
          ({ state, ...result }): PhotoJob => ({
            ...result,
            // The details stay in storage, read again for the cards in view.
            state: doneState(state),
            description: result.description ?? null,
            descriptionWriter: result.descriptionWriter ?? null,
            useModelCaption: result.useModelCaption ?? false,
            settings: sharedSettings(result.settings),
            file: null,
            restored: true,
            run: interrupted.has(result.run) ? run.key : '',
            finishedAt: null,
          }),
        );
        // Captioned in this visit: announced and stored like any other.
        const waiting = queued.map((photo) => waitingJob({ ...photo, run: run.key }));
        const restored = [...finished, ...waiting].filter((job) => !known.has(job.id));
        return { jobs: [...restored, ...jobs].sort((a, b) => a.position - b.position), currentRun: run };
      }),
    setJobState: (jobId, state) =>
      updateJob(jobId, (job) =>
        state.kind === 'done' || state.kind === 'failed'
          ? // The file is not needed any more (but for a JPEG's download): letting it go keeps memory flat over thousands of photos.
            { state, file: state.kind === 'done' && isJpegFile(job.file) ? job.file : null, finishedAt: Date.now() }
          : { state },
      ),
    setThumbnail: (jobId, thumbnail) => updateJob(jobId, () => ({ thumbnail })),
    setSettings: (jobId, settings) => updateJob(jobId, () => ({ settings: sharedSettings(settings) })),
    editCaption: (jobId, text) =>
      updateJob(jobId, (job) => {
        const trimmed = text?.trim() ?? '';
        return { editedCaption: trimmed && trimmed !== chosenAltText(job) ? trimmed : null };
      }),
    setDescription: (jobId, description, machineWriter = null) => updateJob(jobId, () => ({ description, descriptionWriter: description === null ? null : machineWriter })),
    chooseModelCaption: (jobId, useModel) => updateJob(jobId, () => ({ useModelCaption: useModel })),
    removeJobs: (jobIds) => {
      const removed = new Set(jobIds);
      set(({ jobs }) => ({ jobs: jobs.filter((job) => !removed.has(job.id)) }));
    },
    clearFinished: () => get().removeJobs(get().jobs.filter(isFinished).map((job) => job.id)),
  };
});

/** A photo added in this visit, or kept from an earlier one, that waits to be captioned. */
function waitingJob(photo: Pick<PhotoJob, 'id' | 'name' | 'position' | 'run' | 'file'>): PhotoJob {
  return {
    ...photo,
    thumbnail: null,
    settings: null,
    editedCaption: null,
    description: null,
    descriptionWriter: null,
    useModelCaption: false,
    restored: false,
    finishedAt: null,
    state: { kind: 'waiting' },
  };
}

export function findJob(jobId: string): PhotoJob | undefined {
  return useJobsStore.getState().jobs.find((job) => job.id === jobId);
}

/** The model's best caption as alt text ("A dog on a couch."), or '' when there is none. */
export function modelAltText(job: PhotoJob): string {
  return job.state.kind === 'done' && job.state.best ? toAltText(job.state.best.text, captionLanguageOf(job)) : '';
}

/** Whether the alt text (unless edited) is the photo's own description rather than the model's caption. */
export const usesPhotoDescription = (job: PhotoJob): job is PhotoJob & { description: string } => job.description !== null && !job.useModelCaption;

/** The alt text before any edit: the photo's own description, unless the person chose the model's caption. */
function chosenAltText(job: PhotoJob): string {
  return usesPhotoDescription(job) ? job.description : modelAltText(job);
}

/** What "Copy alt text", the export and a JPEG's download use: the user's edit, else the chosen caption. */
export function altTextOf(job: PhotoJob): string {
  return job.editedCaption ?? chosenAltText(job);
}

/** A JPEG by its type (which browsers give from the name), the one format a card can download with its alt text. */
export const isJpegFile = (file: File | null): file is File => file?.type === 'image/jpeg';

/** Whether the photo's name or caption (the edited one, or the model's best) contains the query, ignoring case. */
export function matchesQuery(job: PhotoJob, query: string): boolean {
  const wanted = query.trim().toLocaleLowerCase();
  return job.name.toLocaleLowerCase().includes(wanted) || altTextOf(job).toLocaleLowerCase().includes(wanted);
}

/** What changed between two versions of the job list, for storage and screen-reader announcements. */
export interface JobsChange {
  /** Captioned in this visit by this update. */
  captioned: PhotoJob[];
  /** Failed by this update. */
  failed: PhotoJob[];
  /** Finished jobs whose alt text changed: their edit, their own description or the choice between it and the model's. */
  edited: PhotoJob[];
  removedIds: string[];
}

export function jobsChange(previous: readonly PhotoJob[], next: readonly PhotoJob[]): JobsChange {
  const change: JobsChange = { captioned: [], failed: [], edited: [], removedIds: [] };
  if (previous === next) return change;
  const before = new Map(previous.map((job) => [job.id, job]));
  for (const job of next) {
    const old = before.get(job.id);
    before.delete(job.id);
    if (old === job) continue;
    if (job.state.kind === 'failed' && old?.state.kind !== 'failed') change.failed.push(job);
    if (job.state.kind !== 'done') continue;
    if (old?.state.kind !== 'done') {
      if (!job.restored) change.captioned.push(job);
    } else if (old.editedCaption !== job.editedCaption || old.useModelCaption !== job.useModelCaption || old.description !== job.description || old.descriptionWriter !== job.descriptionWriter) {
      change.edited.push(job);
    }
  }
  change.removedIds = [...before.keys()];
  return change;
}
