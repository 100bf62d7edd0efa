import { describe, expect, it } from 'vitest';
import { errorMessage, isBackendName, type WorkerEvent, type WorkerRequest } from '../../src/worker/protocol';

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
  'job-done': { type: 'job-done', jobId: 'j', captions: [caption], objects: [{ label: 'dog', score: 0.8, box: [0.1, 0.2, 0.5, 0.4] }], elapsedMs: 12.5, stages: { thumbnailMs: 3, pixelsMs: 1.5, encodeMs: 5, firstStepMs: 6, searchMs: 6, updatesPosted: 2 } },
  'job-failed': { type: 'job-failed', jobId: 'j', message: 'Captioning failed: out of memory' },
  'job-cancelled': { type: 'job-cancelled', jobId: 'j' },
  diagnostics: {
    type: 'diagnostics',
    memory: { backend: 'webgl', numTensors: 12, numBytes: 4096, numBytesInGPU: 2048, wasmMemoryBytes: null },
    lastImage: { width: 64, height: 32, quadrantBrightness: [1, 0, 0, 0] },
  },
};

const REQUESTS: Record<Exclude<WorkerRequest['type'], 'caption'>, WorkerRequest> = {
  'load-model': {
    type: 'load-model',
    loadId: 1,
    modelId: 'm',
    url: 'http://localhost/models/m/0123456789ab/',
    preferredBackend: 'auto',
    preferenceOrigin: 'settings',
    versioned: true,
    storedByPool: false,
    pinnedThreads: 2,
  },
  cancel: { type: 'cancel', jobId: 'j' },
  diagnostics: { type: 'diagnostics' },
  'lose-gpu-context': { type: 'lose-gpu-context' },
};

describe('worker protocol', () => {
  it('uses only plain data, so every message survives postMessage (structuredClone) unchanged', () => {
    for (const message of [...Object.values(EVENTS), ...Object.values(REQUESTS)]) expect(structuredClone(message)).toEqual(message);
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
