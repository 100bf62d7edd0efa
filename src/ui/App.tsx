import { useEffect } from 'react';
import { addPhotos } from '../services/captioner-bridge';
import { useModelStore } from '../store/model';
import { useStorageStore } from '../store/storage-status';
import { useSettingsStore } from '../store/settings';
import { Announcer } from './Announcer';
import { DownloadQuestion } from './DownloadQuestion';
import { DropZone } from './DropZone';
import { ModelStatus } from './ModelStatus';
import { PhotoList } from './PhotoList';
import { SettingsPanel } from './SettingsPanel';
import { Webcam } from './Webcam';

/** Pasted images (e.g. a screenshot) join the queue like dropped files. */
function usePastedImages() {
  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const images = [...(event.clipboardData?.files ?? [])].filter((file) => file.type.startsWith('image/'));
      if (images.length > 0) addPhotos(images);
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, []);
}

function useSelectedModelIsFixture(): boolean {
  const catalog = useModelStore((state) => state.catalog);
  const status = useModelStore((state) => state.status);
  const modelId = useSettingsStore((state) => state.modelId);
  return (status.phase === 'ready' && status.model.fixture) || catalog.some((entry) => entry.id === modelId && entry.fixture);
}

function FixtureBanner() {
  if (!useSelectedModelIsFixture()) return null;
  return (
    <p className="fixture-banner" role="note" data-testid="fixture-banner">
      <strong>Test fixture model.</strong> This is a tiny generated model for automated tests, not a real captioning
      model: its captions do not describe your photos.
    </p>
  );
}

function StorageProblem() {
  const problem = useStorageStore((state) => state.problem);
  if (!problem) return null;
  return (
    <p className="warning" role="alert" data-testid="storage-problem">
      {problem}
    </p>
  );
}

export function App() {
  usePastedImages();
  return (
    <div className="app">
      <header className="app-header">
        <h1>Show and Tell</h1>
        <p className="muted">Image captions generated in your browser with a neural network (Vinyals et al., 2015).</p>
      </header>
      <main className="layout">
        <div className="main-column">
          <FixtureBanner />
          <StorageProblem />
          <DownloadQuestion />
          <DropZone />
          <Webcam />
          <PhotoList />
        </div>
        <aside className="side-column">
          <ModelStatus />
          <SettingsPanel />
        </aside>
      </main>
      <Announcer />
    </div>
  );
}
