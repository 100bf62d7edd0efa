import { useRef, useState, type ChangeEvent, type DragEvent } from 'react';
import { addPhotos, addPhotosWhenRead } from '../store/captioner-bridge';
import { droppedItems, photosOfChosenFolder, walkDropped } from '../store/dropped-files';
import { useCoarsePointer } from './pointer';

/** React has no typed prop for it; Chrome, Edge, Firefox and Safari all support it. */
const FOLDER_INPUT = { webkitdirectory: '' } as Record<string, string>;

/**
 * Drop target and file dialogs (files, or a folder with its subfolders); pasting is handled page-wide by App.
 * On touch screens, where nothing is dragged, it offers the camera app instead ("Take a photo").
 */
export function DropZone() {
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const cameraInput = useRef<HTMLInputElement>(null);
  const touch = useCoarsePointer();
  const [dragging, setDragging] = useState(false);

  const addChosen = (event: ChangeEvent<HTMLInputElement>) => {
    addPhotos([...(event.target.files ?? [])]);
    event.target.value = ''; // lets the same file be chosen again
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    // Read now: the browser empties the drop's data when this handler returns.
    addPhotosWhenRead(walkDropped(droppedItems(event.dataTransfer.items)));
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
      <p className="drop-title">{touch ? 'Add photos' : 'Drop photos or folders here'}</p>
      <div className="drop-actions">
        <button type="button" onClick={() => fileInput.current?.click()}>
          Choose photos
        </button>
        {touch && (
          <button type="button" onClick={() => cameraInput.current?.click()}>
            Take a photo
          </button>
        )}
        <button type="button" onClick={() => folderInput.current?.click()}>
          Choose a folder
        </button>
      </div>
      <p className="muted">{touch ? 'or paste an image.' : 'or paste an image (Ctrl+V).'} Photos never leave your device.</p>
      <input
        ref={fileInput}
        type="file"
        accept="image/*,.heic,.heif"
        multiple
        hidden
        data-testid="file-input"
        onChange={addChosen}
      />
      {/* capture: phones open the camera app straight away, for the rear camera. */}
      <input ref={cameraInput} type="file" accept="image/*" capture="environment" hidden data-testid="camera-app-input" onChange={addChosen} />
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
