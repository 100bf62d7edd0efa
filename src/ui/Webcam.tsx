import { useEffect, useState } from 'react';
import { liveRate } from '../store/live-rate';
import { bindCameraVideo, chooseCamera, startCamera, stopCamera, switchCamera, takeSnapshot } from '../services/webcam';
import { useWebcamStore } from '../store/webcam';
import { formatCaptionLine, toAltText } from '../captioner/format';
import { useCaptionLanguage } from '../store/language-setting';
import { useSettingsStore } from '../store/settings';
import { ObjectBoxes } from './DetectedObjects';
import { ReadLiveCaptionsSetting } from './ReadAloud';

/** How often the caption's age is redrawn while the camera is live. */
const AGE_REFRESH_MS = 250;

function useNow(refreshMs: number): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);
  return now;
}

/** With several cameras: one button to the other side (a phone's front and rear), and a list of them all. */
function CameraSwitch() {
  const cameras = useWebcamStore((state) => state.cameras);
  const deviceId = useWebcamStore((state) => state.deviceId);
  if (cameras.length < 2) return null;
  return (
    <>
      <button type="button" onClick={() => void switchCamera()} data-testid="camera-switch">
        Switch camera
      </button>
      <label className="camera-picker">
        Camera{' '}
        <select value={deviceId ?? ''} onChange={(event) => chooseCamera(event.target.value)} data-testid="camera-picker">
          {cameras.map((camera) => (
            <option key={camera.deviceId} value={camera.deviceId}>
              {camera.label}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}

/** Captions/s, latency and caption age; the data attributes are what the benchmark reads. */
function LiveFigures({ captionGrabbedAt }: { captionGrabbedAt: number | null }) {
  const recentFrames = useWebcamStore((state) => state.recentFrames);
  const now = useNow(AGE_REFRESH_MS);
  const { captionsPerSecond, meanLatencyMs } = liveRate(recentFrames);
  const age = captionGrabbedAt === null ? '–' : `${Math.max(0, (now - captionGrabbedAt) / 1000).toFixed(1)} s`;
  return (
    <p
      className="muted small camera-figures"
      data-testid="camera-rate"
      data-captions-per-second={captionsPerSecond.toFixed(2)}
      data-mean-latency-ms={Math.round(meanLatencyMs)}
    >
      <span>{captionsPerSecond.toFixed(1)} captions/s</span> · <span>latency {Math.round(meanLatencyMs)} ms</span> ·{' '}
      <span>caption age {age}</span>
    </p>
  );
}

function LiveCaption({ paused }: { paused: boolean }) {
  const shown = useWebcamStore((state) => state.caption.shown);
  const frameError = useWebcamStore((state) => state.frameError);
  const best = shown?.captions[0];
  const language = useCaptionLanguage();
  return (
    <>
      <p className="camera-caption" data-testid="camera-caption" aria-live="polite" lang={best && !paused ? language : undefined}>
        {paused ? 'Paused while this tab is hidden.' : best ? toAltText(best.text, language) || '(empty caption)' : 'Looking…'}
      </p>
      {frameError && (
        <p className="error" role="alert">
          {frameError}
        </p>
      )}
      {shown && (
        <ol className="caption-lines" data-testid="camera-caption-lines">
          {shown.captions.map((caption, index) => (
            <li key={index}>{formatCaptionLine(index, caption)}</li>
          ))}
        </ol>
      )}
      <LiveFigures captionGrabbedAt={shown?.grabbedAt ?? null} />
    </>
  );
}

/** The latest captioned frame's objects over the video. */
function CameraBoxes() {
  const objects = useWebcamStore((state) => state.objects);
  const showBoxes = useSettingsStore((state) => state.showBoxes);
  return showBoxes && objects ? <ObjectBoxes objects={objects} highlight={null} /> : null;
}

export function Webcam() {
  const status = useWebcamStore((state) => state.status);
  const cameraOn = status.phase === 'starting' || status.phase === 'live';
  return (
    <section className="panel camera" data-testid="camera" data-phase={status.phase} aria-label="Camera">
      <div className="list-header">
        <h2>Camera</h2>
        {cameraOn ? (
          <button type="button" onClick={stopCamera}>
            Stop camera
          </button>
        ) : (
          <button type="button" onClick={() => void startCamera()}>
            Start camera
          </button>
        )}
      </div>
      {status.phase === 'off' && <p className="muted">Caption what your camera sees, live. The video never leaves this device.</p>}
      <ReadLiveCaptionsSetting />
      {status.phase === 'starting' && <p className="muted">Starting the camera… allow access if the browser asks.</p>}
      {status.phase === 'error' && (
        <p className="warning" role="alert" data-testid="camera-error" data-problem={status.problem}>
          {status.message}
        </p>
      )}
      {cameraOn && (
        <div className="camera-live" hidden={status.phase !== 'live'}>
          <div className="camera-frame">
            <video className="camera-video" ref={bindCameraVideo} muted playsInline autoPlay data-testid="camera-video" />
            <CameraBoxes />
          </div>
          <div className="camera-side">
            {status.phase === 'live' && <LiveCaption paused={status.paused} />}
            <div className="camera-actions">
              <button type="button" onClick={() => void takeSnapshot()} data-testid="camera-snapshot">
                Snapshot to photos
              </button>
              <CameraSwitch />
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
