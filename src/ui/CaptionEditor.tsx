import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { altTextOf, captionLanguageOf, useJobsStore, usesPhotoDescription, type PhotoJob } from '../store/jobs';
import type { Caption } from '../worker/protocol';
import { CaptionWithObjects } from './DetectedObjects';
import { ReadAloudButton } from './ReadAloud';
import { DownloadWithAltText } from './PhotoDescription';

function CopyButton({ text, fileName }: { text: string; fileName: string }) {
  const [outcome, setOutcome] = useState<'copied' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setOutcome('copied');
    } catch {
      setOutcome('failed'); // no clipboard permission (e.g. an embedded page)
    }
    setTimeout(() => setOutcome(null), 1500);
  };
  return (
    <button type="button" className="copy-button" onClick={() => void copy()} aria-label={`Copy alt text of ${fileName}`}>
      {outcome === 'copied' ? 'Copied' : outcome === 'failed' ? 'Copy failed' : 'Copy alt text'}
    </button>
  );
}

interface CaptionInputProps {
  initial: string;
  fileName: string;
  onSave: (text: string) => void;
  onCancel: () => void;
}

/** Enter saves, Escape cancels (a line break has no place in alt text). */
function CaptionInput({ initial, fileName, onSave, onCancel }: CaptionInputProps) {
  const [text, setText] = useState(initial);
  const hintId = useId();
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.nativeEvent.isComposing) return; // Enter confirms an input method's word, not the caption
    if (event.key === 'Enter') {
      event.preventDefault();
      onSave(text);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    }
  };
  return (
    <div className="caption-editor">
      <textarea
        className="caption-input"
        data-testid="caption-input"
        aria-label={`Alt text of ${fileName}`}
        aria-describedby={hintId}
        value={text}
        rows={2}
        autoFocus
        onFocus={(event) => event.target.select()}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="caption-actions">
        <span id={hintId} className="muted small">
          Enter saves, Escape cancels
        </span>
        <button type="button" onClick={() => onSave(text)}>
          Save
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/**
 * The caption used as alt text: the model's best one, or the user's edit of it (marked as edited).
 * The model's own captions stay listed below it on the card.
 */
interface CaptionEditorProps {
  job: PhotoJob;
  /** The model's best caption with its words naming objects; undefined while the result's details are read. */
  bestCaption: Caption | undefined;
  onHighlight: (label: string | null) => void;
}

export function CaptionEditor({ job, bestCaption, onHighlight }: CaptionEditorProps) {
  const editCaption = useJobsStore((state) => state.editCaption);
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const text = altTextOf(job);
  const edited = job.editedCaption !== null;
  const ownDescription = !edited && usesPhotoDescription(job);
  // The model's caption, with the words that name detected objects marked (not a person's text).
  const best = !edited && !ownDescription ? bestCaption : undefined;

  useEffect(() => {
    // Back to the Edit button after saving or cancelling, so keyboard users keep their place.
    if (!editing && returnFocus.current) editButton.current?.focus();
    returnFocus.current = false;
  }, [editing]);

  const close = () => {
    returnFocus.current = true;
    setEditing(false);
  };

  if (editing) {
    return (
      <CaptionInput
        initial={text}
        fileName={job.name}
        onSave={(newText) => {
          editCaption(job.id, newText);
          close();
        }}
        onCancel={close}
      />
    );
  }
  return (
    <div className="best-caption" data-edited={edited}>
      <p>
        <span data-testid="best-caption" lang={best ? captionLanguageOf(job) : undefined}>{best ? <CaptionWithObjects caption={best} language={captionLanguageOf(job)} onHighlight={onHighlight} /> : text}</span>
        {edited && (
          <span className="edited-tag" data-testid="edited-tag">
            edited
          </span>
        )}
        {ownDescription && (
          <span className="edited-tag" data-testid="description-tag">
            {job.descriptionWriter === null ? 'from the photo' : 'machine-written, from the photo'}
          </span>
        )}
      </p>
      <div className="caption-actions">
        <button type="button" ref={editButton} onClick={() => setEditing(true)} aria-label={`Edit alt text of ${job.name}`}>
          Edit
        </button>
        <CopyButton text={text} fileName={job.name} />
        <ReadAloudButton text={text} language={captionLanguageOf(job)} fileName={job.name} />
        <DownloadWithAltText job={job} />
        {edited && (
          <button type="button" onClick={() => editCaption(job.id, null)} aria-label={`Revert ${job.name} to the model’s caption`}>
            Revert
          </button>
        )}
      </div>
    </div>
  );
}
