/**
 * The live camera: starting and stopping it, choosing one, and feeding its frames to the captioner
 * (through captioner-bridge, which decides when the worker takes the next frame). Captioning pauses
 * while the tab is hidden; the camera itself stays on so resuming is instant. Phones start with the
 * camera that faces the world (the rear one); "switch" turns to the other side.
 */
import { nextStableCaption } from '../store/caption-stability';
import { recordFrame } from '../store/live-rate';
import { useModelStore } from '../store/model';
import { INITIAL_SESSION, useWebcamStore, type CameraProblem, type CameraStatus } from '../store/webcam';
import { addPhotos, setFrameSource, type FrameSource } from './captioner-bridge';
import { coveringSize } from '../captioner/preprocess';

let stream: MediaStream | null = null;
let video: HTMLVideoElement | null = null;
/** The camera's frames as they arrive, where the browser has MediaStreamTrackProcessor; else frames are grabbed from the video. */
let frameReader: ReadableStreamDefaultReader<VideoFrame> | null = null;

/** Chromium's MediaStreamTrackProcessor (not in TypeScript's DOM types): a track's frames as a stream. */
interface TrackProcessorConstructor {
  new (init: { track: MediaStreamTrack; maxBufferSize?: number }): { readable: ReadableStream<VideoFrame> };
}

/**
 * Reads frames as the camera delivers them, in memory: turning them into pixels then costs a few ms,
 * where a bitmap of the playing video lives on the GPU and must be read back. Only the newest frame
 * is kept while the captioner is busy.
 */
function readFramesOf(track: MediaStreamTrack | undefined): ReadableStreamDefaultReader<VideoFrame> | null {
  const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorConstructor }).MediaStreamTrackProcessor;
  return track && Processor ? new Processor({ track, maxBufferSize: 1 }).readable.getReader() : null;
}
/** Counts start requests, so a slow getUserMedia that a Stop (or a newer Start) overtook is discarded. */
let startNumber = 0;

function cameraProblem(problem: CameraProblem, message: string): CameraStatus {
  return { phase: 'error', problem, message };
}

/** getUserMedia's DOMException names, as messages saying what happened and what to do. */
function describeStartError(error: unknown): CameraStatus {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return cameraProblem(
        'denied',
        'Camera access was denied. Allow the camera for this site (the camera icon in the address bar, or the site settings), then press Start camera again.',
      );
    case 'NotFoundError':
    case 'OverconstrainedError':
      return cameraProblem('no-camera', 'No camera was found. Connect a camera, or choose another one, and press Start camera again.');
    case 'NotReadableError':
    case 'AbortError':
      return cameraProblem(
        'busy',
        'The camera is in use by another app or could not be started. Close the other app (a video call, another tab) and press Start camera again.',
      );
    default:
      return cameraProblem('failed', `The camera could not be started (${error instanceof Error ? error.message : String(error)}).`);
  }
}

const cameraFrames: FrameSource = {
  async grabFrame() {
    if (frameReader) return (await frameReader.read()).value ?? null;
    const { status } = useModelStore.getState();
    if (status.phase !== 'ready' || !video || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0) return null;
    // A bitmap of the video only needs to cover the encoder's live input: more pixels are read back from the GPU for nothing.
    const { width, height } = coveringSize(video.videoWidth, video.videoHeight, status.model.liveInput);
    return createImageBitmap(video, { resizeWidth: width, resizeHeight: height });
  },
  onCaptioned({ captions, objects, grabbedAt, captionedAt }) {
    useWebcamStore.setState(({ caption, recentFrames }) => ({
      objects,
      caption: nextStableCaption(caption, { captions, grabbedAt }),
      recentFrames: recordFrame(recentFrames, { grabbedAt, captionedAt }),
      frameError: null,
    }));
  },
  onFailed(message) {
    useWebcamStore.setState({ frameError: message });
  },
};

/** Frames flow to the captioner only while the camera is live and the tab is visible. */
function updateFrameFlow(): void {
  const { status } = useWebcamStore.getState();
  const paused = document.hidden;
  if (status.phase === 'live' && status.paused !== paused) useWebcamStore.setState({ status: { phase: 'live', paused } });
  setFrameSource(status.phase === 'live' && !paused ? cameraFrames : null);
}

function showStream(): void {
  if (!video || video.srcObject === stream) return;
  video.srcObject = stream;
  // Autoplay of a muted camera stream is allowed; a rejection only means the element went away.
  if (stream) void video.play().catch(() => undefined);
}

function releaseCamera(): void {
  setFrameSource(null);
  void frameReader?.cancel().catch(() => undefined);
  frameReader = null;
  stream?.getTracks().forEach((track) => track.stop());
  stream = null;
  showStream();
}

async function listCameras(): Promise<void> {
  const devices = await navigator.mediaDevices.enumerateDevices();
  const cameras = devices
    .filter((device) => device.kind === 'videoinput')
    .map((device, index) => ({ deviceId: device.deviceId, label: device.label || `Camera ${index + 1}` }));
  useWebcamStore.setState({ cameras });
}

/** A camera by its id, or by the way it faces. */
type CameraRequest = { deviceId: string } | { facingMode: ConstrainDOMString };

export function startCamera(deviceId: string | null = useWebcamStore.getState().deviceId): Promise<void> {
  // `ideal`: a laptop's only camera faces the user, and must still start.
  return start(deviceId ? { deviceId } : { facingMode: { ideal: 'environment' } });
}

async function start(request: CameraRequest): Promise<void> {
  const thisStart = ++startNumber;
  releaseCamera();
  if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
    useWebcamStore.setState({
      status: cameraProblem(
        'insecure-context',
        'The camera is only available on a secure page: open this app over https:// (or on localhost). Photos still work here.',
      ),
    });
    return;
  }
  const deviceId = 'deviceId' in request ? request.deviceId : null;
  useWebcamStore.setState({ status: { phase: 'starting' }, deviceId, ...INITIAL_SESSION });
  let started: MediaStream;
  try {
    started = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: {
        ...('deviceId' in request ? { deviceId: { exact: request.deviceId } } : { facingMode: request.facingMode }),
        width: { ideal: 640 },
        height: { ideal: 480 },
      },
    });
  } catch (error) {
    if (thisStart === startNumber) useWebcamStore.setState({ status: describeStartError(error) });
    return;
  }
  if (thisStart !== startNumber) {
    started.getTracks().forEach((track) => track.stop());
    return;
  }
  stream = started;
  const [track] = started.getVideoTracks();
  frameReader = readFramesOf(track);
  track?.addEventListener('ended', () => {
    if (stream !== started) return;
    releaseCamera();
    useWebcamStore.setState({ status: cameraProblem('disconnected', 'The camera stopped (unplugged, or taken by the system). Press Start camera to try again.') });
  });
  const settings = track?.getSettings();
  useWebcamStore.setState({ status: { phase: 'live', paused: document.hidden }, deviceId: settings?.deviceId ?? deviceId, facing: settings?.facingMode || null });
  showStream();
  updateFrameFlow();
  // Camera names are only readable once access is granted.
  void listCameras().catch(() => undefined);
}

export function stopCamera(): void {
  startNumber++;
  releaseCamera();
  useWebcamStore.setState({ status: { phase: 'off' }, ...INITIAL_SESSION });
}

export function chooseCamera(deviceId: string): void {
  if (deviceId !== useWebcamStore.getState().deviceId) void startCamera(deviceId);
}

const OTHER_SIDE: Record<string, VideoFacingModeEnum> = { user: 'environment', environment: 'user' };

/**
 * The camera on the other side of a phone; where cameras say nothing of their side (most desktop
 * ones), or no camera faces the other way, the next camera in the list.
 */
export async function switchCamera(): Promise<void> {
  const { facing, cameras, deviceId } = useWebcamStore.getState();
  const otherSide = facing === null ? undefined : OTHER_SIDE[facing];
  if (otherSide) {
    await start({ facingMode: { exact: otherSide } });
    const { status } = useWebcamStore.getState();
    if (status.phase !== 'error' || status.problem !== 'no-camera') return;
  }
  const next = cameras[(cameras.findIndex((camera) => camera.deviceId === deviceId) + 1) % cameras.length];
  if (next) await startCamera(next.deviceId);
}

/** Ref callback for the <video> that shows the camera (and that frames are grabbed from). */
export function bindCameraVideo(element: HTMLVideoElement | null): void {
  video = element;
  showStream();
}

/** Freezes the current frame into a JPEG and adds it to the photo list like a dropped photo. */
export async function takeSnapshot(): Promise<void> {
  if (!video || video.videoWidth === 0) return;
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')?.drawImage(video, 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
  if (!blob) return;
  const time = new Date().toTimeString().slice(0, 8).replaceAll(':', '-');
  addPhotos([new File([blob], `camera-${time}.jpg`, { type: 'image/jpeg' })]);
}

document.addEventListener('visibilitychange', updateFrameFlow);
