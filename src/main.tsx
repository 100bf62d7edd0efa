import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { fillOfflineCopy, registerServiceWorker } from './offline/register-service-worker';
import { resumeQueue, startCaptioner } from './services/captioner-bridge';
import { queueKept } from './services/photo-queue';
import { startSavingResults } from './services/saved-results';
import { useJobsStore } from './store/jobs';
import { useWebcamStore } from './store/webcam';
import { App } from './ui/App';
import './ui/styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// Restores kept results, and photos a reload or a crash interrupted, which then caption by themselves.
void startSavingResults().then(resumeQueue);
// On a first visit the service worker may reload the page into cross-origin isolation first: photos
// picked before that are kept in storage first (the page takes them at once, and comes back to them).
void registerServiceWorker(queueKept).then(startCaptioner);

/** Resolves at the first caption, of a photo or of a camera frame. */
function firstCaption(): Promise<void> {
  return new Promise((resolve) => {
    const stops = [
      useJobsStore.subscribe(({ jobs }) => {
        if (jobs.some((job) => job.state.kind === 'done')) done();
      }),
      useWebcamStore.subscribe(({ recentFrames }) => {
        if (recentFrames.length > 0) done();
      }),
    ];
    function done(): void {
      for (const stop of stops) stop();
      resolve();
    }
  });
}
// Until then the service worker downloads only what this browser runs; the rest of the offline copy follows.
void firstCaption().then(fillOfflineCopy);
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
