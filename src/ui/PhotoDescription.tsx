import { useState } from 'react';
import { canDownloadWithAltText, jpegWithAltText } from '../store/export';
import { useJobsStore, usesPhotoDescription, type PhotoJob } from '../store/jobs';
import { errorMessage } from '../worker/protocol';
import { saveFile } from './save-file';

/** "Has a description: …" for a photo that carries its own, and the choice between it and the model's caption as alt text. */
export function PhotoDescription({ job }: { job: PhotoJob }) {
  const chooseModelCaption = useJobsStore((state) => state.chooseModelCaption);
  if (job.description === null) return null;
  const usingIt = usesPhotoDescription(job);
  return (
    <div className="photo-description" data-testid="photo-description">
      <p>
        {job.descriptionWriter === null ? 'Has a description' : 'Has a machine-written description'}: <q>{job.description}</q>
      </p>
      {job.editedCaption === null && (
        <button type="button" onClick={() => chooseModelCaption(job.id, usingIt)} aria-label={`${usingIt ? 'Use the model’s caption' : 'Use the photo’s own description'} as alt text of ${job.name}`}>
          {usingIt ? 'Use the model’s caption' : 'Use the photo’s description'}
        </button>
      )}
    </div>
  );
}

/** Downloads a JPEG from this visit with its alt text written into it (its pixels untouched). */
export function DownloadWithAltText({ job }: { job: PhotoJob }) {
  const [problem, setProblem] = useState<string | null>(null);
  if (!canDownloadWithAltText(job)) return null;
  const download = async () => {
    try {
      saveFile(job.file.name, await jpegWithAltText(job));
      setProblem(null);
    } catch (error) {
      setProblem(`Could not download it: ${errorMessage(error)}`);
    }
  };
  return (
    <>
      <button type="button" className="download-button" onClick={() => void download()} aria-label={`Download ${job.name} with its alt text`}>
        Download with alt text
      </button>
      {problem && (
        <span className="error" role="alert">
          {problem}
        </span>
      )}
    </>
  );
}
