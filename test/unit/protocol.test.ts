import { describe, expect, it } from 'vitest';
import { errorMessage, isBackendName, isPhotoFile, transferList, type CaptionRequest, type Picture, type WorkerEvent, type WorkerRequest } from '../../src/worker/protocol';

const caption = { text: 'a dog on a couch .', words: ['a', 'dog', 'on', 'a', 'couch', '.'], logProb: -1.2, p: Math.exp(-1.2) };

/** One sample per message type; the Record type fails to compile when a new type has no sample. */
const EVENTS: Record<WorkerEvent['type'], WorkerEvent> = {
  'model-progress': { type: 'model-progress', loadId: 1, modelId: 'm', loadedBytes: 10, totalBytes: null },
  'model-warming-up': { type: 'model-warming-up', loadId: 1, modelId: 'm', backend: 'webgl' },
  'model-ready': {
    type: 'model-ready',
    loadId: 1,
    model: { id: 'm', name: 'M', language: 'en', fixture: true, detectsObjects: true, grounding: { problem: 'objects.json is not valid JSON' }, liveInput: { height: 384, width: 384 } },
    backend: 'wasm',
    note: null,
    backendReason: 'chosen automatically: WebGL is not available in this browser.',
    modelOrigin: 'cache',
    downloadedBytes: 0,
    wasmThreads: { count: 1, reason: 'the page is not cross-origin isolated, so WebAssembly runs single-threaded' },
  },
  'model-error': { type: 'model-error', loadId: 1, modelId: 'm', message: 'could not download model.json (HTTP 404)' },
  'job-started': { type: 'job-started', jobId: 'j' },
  'job-thumbnail': { type: 'job-thumbnail', jobId: 'j', thumbnail: new Blob([Uint8Array.of(0xff, 0xd8)], { type: 'image/jpeg' }) },
  'job-hypotheses': { type: 'job-hypotheses', jobId: 'j', beam: { step: 2, partial: [caption], complete: [], readBackBytes: 24 } },
  'job-done': { type: 'job-done', jobId: 'j', captions: [caption], objects: [{ label: 'dog', score: 0.8, box: [0.1, 0.2, 0.5, 0.4] }], elapsedMs: 12.5, imageSize: { width: 640, height: 480 }, stages: { decodeMs: 4, thumbnailMs: 3, pixelsMs: 1.5, encodeMs: 5, firstStepMs: 6, searchMs: 6, updatesPosted: 2 } },
  'job-failed': { type: 'job-failed', jobId: 'j', message: 'Captioning failed: out of memory' },
  'job-cancelled': { type: 'job-cancelled', jobId: 'j' },
  diagnostics: {
    type: 'diagnostics',
    memory: { backend: 'webgl', numTensors: 12, numBytes: 4096, numBytesInGPU: 2048, wasmMemoryBytes: null },
    lastImage: { width: 64, height: 32, quadrantBrightness: [1, 0, 0, 0] },
  },
};

/**
 * A caption request whose picture is a MessagePort: like the page's ImageBitmap and VideoFrame it can be
 * transferred, and unlike them Node has it; and it cannot be copied, so postMessage fails unless the
 * request's transfer list hands it over.
 */
function captionRequest(): CaptionRequest {
  const { port1 } = new MessageChannel();
  const picture = port1 as unknown as Picture;
  return { type: 'caption', jobId: 'j', picture, settings: { beamSize: 3, maxLength: 20, lengthNormalizationFactor: 0, grounded: true }, streamHypotheses: true, wantThumbnail: true, liveFrame: false };
}

const REQUESTS: Record<WorkerRequest['type'], () => WorkerRequest> = {
  caption: captionRequest,
  'load-model': () => ({
    type: 'load-model',
    loadId: 1,
    modelId: 'm',
    url: 'http://localhost/models/m/0123456789ab/',
    preferredBackend: 'auto',
    preferenceOrigin: 'settings',
    versioned: true,
    storedByPool: false,
    pinnedThreads: 2,
  }),
  cancel: () => ({ type: 'cancel', jobId: 'j' }),
  diagnostics: () => ({ type: 'diagnostics' }),
  'lose-gpu-context': () => ({ type: 'lose-gpu-context' }),
};

describe('worker protocol', () => {
  it('uses only plain data, so every event survives postMessage (structuredClone) unchanged', () => {
    for (const event of Object.values(EVENTS)) expect(structuredClone(event)).toEqual(event);
  });

  it('posts every request with its transfer list: the rest arrives unchanged, and a picture is handed over, never copied', () => {
    for (const makeRequest of Object.values(REQUESTS)) {
      const request = makeRequest();
      const received = structuredClone(request, { transfer: transferList(request) });
      if (request.type !== 'caption') {
        expect(received).toEqual(request);
        continue;
      }
      expect(received).toEqual({ ...request, picture: expect.any(MessagePort) });
      // Transferred: the worker gets the picture itself, and the page no longer holds it.
      expect((received as CaptionRequest).picture).not.toBe(request.picture);
      expect(() => structuredClone(request, { transfer: transferList(request) }), 'the page still holding the picture').toThrow();
      ((received as CaptionRequest).picture as unknown as MessagePort).close();
    }
  });

  it('sends a photo file as a shared Blob, with nothing to transfer: the worker decodes it', () => {
    const file = new Blob([Uint8Array.of(0xff, 0xd8, 0xff, 0xd9)], { type: 'image/jpeg' });
    const request: CaptionRequest = {
      type: 'caption',
      jobId: 'j',
      picture: { kind: 'photo-file', file, format: 'JPEG' },
      settings: { beamSize: 3, maxLength: 20, lengthNormalizationFactor: 0, grounded: true },
      streamHypotheses: true,
      wantThumbnail: true,
      liveFrame: false,
    };
    expect(structuredClone(request)).toEqual(request);
    expect(isPhotoFile(request.picture)).toBe(true);
    expect(transferList(request)).toEqual([]);
  });

  it('accepts only known backend names (from the ?backend= URL parameter)', () => {
    expect(['webgpu', 'webgl', 'wasm', 'cpu'].every(isBackendName)).toBe(true);
    for (const value of ['WEBGL', 'webgpu2', '', null, undefined]) expect(isBackendName(value)).toBe(false);
  });

  it('turns anything thrown into a readable message', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('plain text')).toBe('plain text');
    expect(errorMessage({ code: 3 })).toBe('unknown error');
  });
});
