import { defaultRangeExtractor, useWindowVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useDeferredValue, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { clearFinishedPhotos } from '../services/captioner-bridge';
import { isFinished, matchesQuery, useJobsStore, type PhotoJob } from '../store/jobs';
import { useStorageStore } from '../store/storage-status';
import { ExportMenu } from './ExportMenu';
import { formatBytes } from './format';
import { PhotoCard } from './PhotoCard';
import { QueueStatus } from './QueueStatus';

/** A card's height until it is measured: about a finished card's. */
const ESTIMATED_CARD_HEIGHT = 200;
/** Cards rendered beyond the window on each side, so scrolling and Tab find the next one ready. */
const OVERSCAN = 8;

/** How much this browser keeps for the page, and whether it may clear it by itself. */
function StorageUse() {
  const { persisted, usedBytes } = useStorageStore(useShallow(({ persisted, usedBytes }) => ({ persisted, usedBytes })));
  if (usedBytes === null) return null;
  const keeping =
    persisted === true
      ? 'kept until you clear them'
      : 'the browser may clear them if it runs short of space: use Export to keep a copy';
  return (
    <p className="muted small" data-testid="storage-use" data-persisted={String(persisted)}>
      Photos and results stored in this browser: {formatBytes(usedBytes)} ({keeping}).
    </p>
  );
}

/**
 * Only the cards in and near the window are in the page (@tanstack/react-virtual), so a folder of
 * thousands of photos costs what a screenful does. The focused card stays rendered while scrolled away.
 */
function PhotoRows({ jobs }: { jobs: readonly PhotoJob[] }) {
  const list = useRef<HTMLDivElement>(null);
  const [listTop, setListTop] = useState(0);
  const focusedJobId = useRef<string | null>(null);
  const jobsNow = useRef(jobs);
  jobsNow.current = jobs;

  // The list's place on the page moves as what is above it changes (the camera, the queue's progress).
  useLayoutEffect(() => {
    const top = (list.current?.getBoundingClientRect().top ?? 0) + window.scrollY;
    if (top !== listTop) setListTop(top);
  });

  const keepFocusedCard = useCallback((range: Range) => {
    const indexes = defaultRangeExtractor(range);
    const focused = focusedJobId.current === null ? -1 : jobsNow.current.findIndex((job) => job.id === focusedJobId.current);
    return focused < 0 || indexes.includes(focused) ? indexes : [...indexes, focused].sort((a, b) => a - b);
  }, []);

  const virtualizer = useWindowVirtualizer({
    count: jobs.length,
    estimateSize: () => ESTIMATED_CARD_HEIGHT,
    overscan: OVERSCAN,
    scrollMargin: listTop,
    getItemKey: (index) => jobs[index].id,
    rangeExtractor: keepFocusedCard,
  });

  return (
    <div
      ref={list}
      className="photo-list"
      style={{ height: virtualizer.getTotalSize() }}
      onFocus={(event) => (focusedJobId.current = (event.target.closest('[data-job-id]') as HTMLElement | null)?.dataset.jobId ?? null)}
      onBlur={(event) => {
        if (!list.current?.contains(event.relatedTarget as Node | null)) focusedJobId.current = null;
      }}
    >
      {virtualizer.getVirtualItems().map((row) => {
        const job = jobs[row.index];
        return (
          <div
            key={job.id}
            className="photo-row"
            data-index={row.index}
            data-job-id={job.id}
            ref={virtualizer.measureElement}
            style={{ transform: `translateY(${row.start - listTop}px)` }}
          >
            <PhotoCard job={job} />
          </div>
        );
      })}
    </div>
  );
}

/** Ctrl+F finds only the cards on screen; this finds any photo by its name or its caption. */
function FindPhoto({ query, onChange }: { query: string; onChange: (query: string) => void }) {
  return (
    <label className="find-photo">
      Find a photo
      <input type="search" value={query} placeholder="name or caption" onChange={(event) => onChange(event.target.value)} data-testid="find-photo" />
    </label>
  );
}

export function PhotoList() {
  const jobs = useJobsStore((state) => state.jobs);
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const shown = useMemo(() => (deferredQuery.trim() ? jobs.filter((job) => matchesQuery(job, deferredQuery)) : jobs), [jobs, deferredQuery]);
  if (jobs.length === 0) return null;
  const finished = jobs.filter(isFinished).length;
  const captioned = jobs.filter((job) => job.state.kind === 'done').length;
  const failed = finished - captioned;
  return (
    <section aria-labelledby="photos-heading">
      <div className="list-header">
        <h2 id="photos-heading">
          Photos{' '}
          <span className="muted" data-testid="photos-finished">
            ({finished} of {jobs.length} finished{failed > 0 && `, ${failed} failed`})
          </span>
        </h2>
        <div className="list-actions">
          {captioned > 0 && <ExportMenu />}
          {finished > 0 && (
            <button type="button" onClick={clearFinishedPhotos} title="Removes finished photos from this page and from this browser’s storage">
              Clear finished
            </button>
          )}
        </div>
      </div>
      <StorageUse />
      <QueueStatus />
      <FindPhoto query={query} onChange={setQuery} />
      {query.trim() && (
        <p className="muted small" role="status" data-testid="find-result">
          {shown.length === 0 ? 'No photo matches.' : `${shown.length} of ${jobs.length} photos match.`}
        </p>
      )}
      <PhotoRows jobs={shown} />
    </section>
  );
}
