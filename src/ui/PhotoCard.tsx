import { memo, useEffect, useState } from 'react';
import { removePhoto } from '../services/captioner-bridge';
import type { CaptionSettings, JobState, PhotoJob, ResultDetails } from '../store/jobs';
import { knownResultDetails, loadResultDetails } from '../services/saved-results';
import { useSettingsStore } from '../store/settings';
import type { Caption, CaptionUpdate, DetectedObject } from '../worker/protocol';
import { formatCaptionLine } from '../captioner/format';
import { CaptionEditor } from './CaptionEditor';
import { ObjectBoxes, ObjectsLine } from './DetectedObjects';
import { PhotoDescription } from './PhotoDescription';

const STATE_LABELS: Record<JobState['kind'], string> = {
  waiting: 'Waiting',
  reading: 'Reading',
  captioning: 'Captioning',
  done: 'Done',
  failed: 'Failed',
};

/** An object URL for the blob while the component is shown: only the cards on screen hold one. */
function useObjectUrl(blob: Blob | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) return setUrl(null);
    const made = URL.createObjectURL(blob);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [blob]);
  return url;
}

/** A finished photo's details, read from storage while its card is shown (null until then, or when storage has none). */
function useResultDetails(job: PhotoJob): ResultDetails | null {
  const done = job.state.kind === 'done';
  const [details, setDetails] = useState<{ jobId: string; details: ResultDetails } | null>(null);
  useEffect(() => {
    if (!done) return;
    let shown = true;
    void loadResultDetails(job.id).then((loaded) => {
      if (shown && loaded) setDetails({ jobId: job.id, details: loaded });
    });
    return () => {
      shown = false;
    };
  }, [job.id, done]);
  if (!done) return null;
  // At hand (captioned just now, or shown a moment ago): no frame without them.
  return details?.jobId === job.id ? details.details : (knownResultDetails(job.id) ?? null);
}

/** The photo's thumbnail, with the detected objects' boxes over it; a click shows it larger. */
function PhotoFrame({ job, objects, highlight }: { job: PhotoJob; objects: DetectedObject[] | null; highlight: string | null }) {
  const [broken, setBroken] = useState(false);
  const [enlarged, setEnlarged] = useState(false);
  const showBoxes = useSettingsStore((state) => state.showBoxes);
  const thumbnailUrl = useObjectUrl(job.thumbnail);
  // The thumbnail is made when the photo is read: until then the card shows none, rather than the full-size photo.
  if (!thumbnailUrl || broken) return <div className="thumbnail thumbnail-missing">{job.state.kind === 'failed' || broken ? 'no preview' : ''}</div>;
  return (
    <button
      type="button"
      className={`photo-frame${enlarged ? ' enlarged' : ''}`}
      aria-expanded={enlarged}
      aria-label={enlarged ? `Show ${job.name} smaller` : `Show ${job.name} larger`}
      onClick={() => setEnlarged(!enlarged)}
    >
      <img className="thumbnail" src={thumbnailUrl} alt="" decoding="async" onError={() => setBroken(true)} />
      {showBoxes && objects && <ObjectBoxes objects={objects} highlight={highlight} />}
    </button>
  );
}

function BeamLine({ caption, complete }: { caption: Caption; complete: boolean }) {
  // The search may end a caption right after the start word: the caption is then empty.
  const text = complete ? `${caption.text || '(empty caption)'} ✓` : `${caption.text} …`;
  return (
    <li className={complete ? 'complete' : undefined}>
      {text} <span className="muted">(log p {caption.logProb.toFixed(2)})</span>
    </li>
  );
}

/** The search's current partial captions and the complete ones found so far. */
function LiveBeam({ beam }: { beam: CaptionUpdate | null }) {
  if (!beam) return <p className="muted">Looking at the photo…</p>;
  return (
    <div data-testid="live-beam">
      <p className="muted small">Captioning, step {beam.step}:</p>
      <ul className="beam">
        {beam.partial.map((caption, index) => (
          <BeamLine key={`partial-${index}`} caption={caption} complete={false} />
        ))}
        {beam.complete.map((caption, index) => (
          <BeamLine key={`complete-${index}`} caption={caption} complete />
        ))}
      </ul>
    </div>
  );
}

/** "beam 3 · max length 20 · length normalisation 0 · grounded" */
function settingsSummary(settings: CaptionSettings, objects: DetectedObject[] | null): string {
  const grounding = objects === null ? '' : settings.grounded ? ' · grounded' : ' · not grounded';
  return `beam ${settings.beamSize} · max length ${settings.maxLength} · length normalisation ${settings.lengthNormalizationFactor}${grounding}`;
}

/** What the listed p is, and why the list's order may not follow it. */
function rankingNote(grounded: boolean): string {
  const order = grounded
    ? 'Best first by the search’s score: p weighed by what the detector saw (words naming objects it did not see count less)'
    : 'Best first by p';
  return `${order}. p is the model’s probability of the whole caption, word by word.`;
}

interface CaptionsProps {
  job: PhotoJob;
  /** null while they are read from storage. */
  details: ResultDetails | null;
  onHighlight: (label: string | null) => void;
}

function Captions({ job, details, onHighlight }: CaptionsProps) {
  if (job.state.kind === 'done' && !job.state.best) return <p className="muted">The model produced no caption.</p>;
  const objects = details?.objects ?? null;
  return (
    <div data-testid="captions">
      <CaptionEditor job={job} bestCaption={details?.captions[0]} onHighlight={onHighlight} />
      <PhotoDescription job={job} />
      {objects && <ObjectsLine objects={objects} />}
      {details && (
        <>
          <ol className="caption-lines" data-testid="caption-lines" aria-label="The model’s captions">
            {details.captions.map((caption, index) => (
              <li key={index}>{formatCaptionLine(index, caption)}</li>
            ))}
          </ol>
          <p className="muted small" data-testid="caption-settings">
            Captioned in {(details.elapsedMs / 1000).toFixed(2)} s{job.settings && ` · ${settingsSummary(job.settings, objects)}`}
          </p>
          <p className="muted small" data-testid="caption-ranking">{rankingNote(job.settings?.grounded === true && objects !== null)}</p>
        </>
      )}
    </div>
  );
}

function CardBody({ job, details, onHighlight }: { job: PhotoJob; details: ResultDetails | null; onHighlight: (label: string | null) => void }) {
  const { state } = job;
  switch (state.kind) {
    case 'waiting':
      return <p className="muted">Waiting in the queue…</p>;
    case 'reading':
      return <p className="muted">Reading the photo…</p>;
    case 'captioning':
      return <LiveBeam beam={state.beam} />;
    case 'done':
      return <Captions job={job} details={details} onHighlight={onHighlight} />;
    case 'failed':
      return (
        <p className="error" role="alert" data-testid="job-error">
          {state.message}
        </p>
      );
  }
}

/** Memoised: a beam update re-renders only its own card, not the whole list. */
export const PhotoCard = memo(function PhotoCard({ job }: { job: PhotoJob }) {
  // The object class whose boxes stand out: the one named by the caption word being pointed at.
  const [highlight, setHighlight] = useState<string | null>(null);
  const details = useResultDetails(job);
  const objects = details?.objects ?? null;
  return (
    <article className="photo-card" data-testid="photo-card" data-state={job.state.kind} aria-busy={job.state.kind === 'captioning'}>
      <PhotoFrame job={job} objects={objects} highlight={highlight} />
      <div className="photo-body">
        <header className="photo-header">
          <span className="file-name" title={job.name}>
            {job.name || 'Pasted image'}
          </span>
          <span className={`badge badge-${job.state.kind}`}>{STATE_LABELS[job.state.kind]}</span>
          <button type="button" className="remove-button" onClick={() => removePhoto(job.id)} aria-label={`Remove ${job.name}`}>
            ×
          </button>
        </header>
        <CardBody job={job} details={details} onHighlight={setHighlight} />
      </div>
    </article>
  );
});
