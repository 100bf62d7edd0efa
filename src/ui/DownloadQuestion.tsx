import { downloadModel } from '../services/captioner-bridge';
import { useModelStore } from '../store/model';
import { formatBytes } from './format';

/** Data Saver is on: the model is downloaded only once the user agrees, knowing its size. Shown above the photos, where a phone's screen starts. */
export function DownloadQuestion() {
  const status = useModelStore((state) => state.status);
  const catalog = useModelStore((state) => state.catalog);
  if (status.phase !== 'asking') return null;
  const name = catalog.find((entry) => entry.id === status.modelId)?.name ?? status.modelId;
  const size = status.bytes === null ? 'of unknown size' : formatBytes(status.bytes);
  return (
    <section className="warning download-question" data-testid="download-question" aria-labelledby="download-question-heading">
      <h2 id="download-question-heading">Download the model ({size})?</h2>
      <p>
        Data Saver is on, so nothing large is downloaded without asking. Captioning needs {name}; this browser keeps it afterwards, so it is
        downloaded once. Photos you add wait until then.
      </p>
      <button type="button" onClick={downloadModel}>
        Download {status.bytes === null ? 'the model' : size}
      </button>
    </section>
  );
}
