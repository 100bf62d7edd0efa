import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startCaptioner } from './store/captioner-bridge';
import { App } from './ui/App';
import './ui/styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

void startCaptioner();
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
