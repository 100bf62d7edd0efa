import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { registerServiceWorker } from './offline/register-service-worker';
import { startCaptioner } from './store/captioner-bridge';
import { startSavingResults } from './store/saved-results';
import { App } from './ui/App';
import './ui/styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

void startSavingResults();
// On a first visit the service worker may reload the page into cross-origin isolation first.
void registerServiceWorker().then(startCaptioner);
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
