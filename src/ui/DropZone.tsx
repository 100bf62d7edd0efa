import { useRef, useState, type DragEvent } from 'react';
import { addPhotos } from '../store/captioner-bridge';

/** Drop target and file dialog; pasting is handled page-wide by App. */
export function DropZone() {
  const fileInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    addPhotos([...event.dataTransfer.files]);
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
      <p className="drop-title">Drop photos here</p>
      <p className="muted">
        or{' '}
        <button type="button" className="link-button" onClick={() => fileInput.current?.click()}>
          choose files
        </button>
        , or paste an image (Ctrl+V). Photos never leave your device.
      </p>
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
    </div>
  );
}
