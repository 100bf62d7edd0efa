import { useRef, useState, type DragEvent } from 'react';
import { addPhotos } from '../store/captioner-bridge';
import { droppedItems, photosOfChosenFolder, walkDropped } from '../store/dropped-files';

/** React has no typed prop for it; Chrome, Edge, Firefox and Safari all support it. */
const FOLDER_INPUT = { webkitdirectory: '' } as Record<string, string>;

/** Drop target and file dialogs (files, or a folder with its subfolders); pasting is handled page-wide by App. */
export function DropZone() {
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    setProblem(null);
    // Read now: the browser empties the drop's data when this handler returns.
    const items = droppedItems(event.dataTransfer.items);
    walkDropped(items)
      .then(addPhotos)
      .catch(() => setProblem('A dropped folder could not be read completely.'));
  };

  return (
    <div
      className={dragging ? 'drop-zone dragging' : 'drop-zone'}
      data-testid="drop-zone"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <p className="drop-title">Drop photos or folders here</p>
      <p className="muted">
        or{' '}
        <button type="button" className="link-button" onClick={() => fileInput.current?.click()}>
          choose files
        </button>
        ,{' '}
        <button type="button" className="link-button" onClick={() => folderInput.current?.click()}>
          choose a folder
        </button>
        , or paste an image (Ctrl+V). Photos never leave your device.
      </p>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <input
        ref={fileInput}
        type="file"
        accept="image/*"
        multiple
        hidden
        data-testid="file-input"
        onChange={(event) => {
          addPhotos([...(event.target.files ?? [])]);
          event.target.value = ''; // lets the same file be chosen again
        }}
      />
      <input
        ref={folderInput}
        type="file"
        {...FOLDER_INPUT}
        hidden
        data-testid="folder-input"
        onChange={(event) => {
          addPhotos(photosOfChosenFolder(event.target.files ?? []));
          event.target.value = '';
        }}
      />
    </div>
  );
}
