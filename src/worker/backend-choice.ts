/**
 * Which TensorFlow.js backend to run. WebGL is fastest on a real GPU, but a software-emulated WebGL
 * (SwiftShader, llvmpipe: machines without a usable GPU, many VMs) is several times slower than
 * WebAssembly with SIMD (measured in headless Chromium, MobileNetV2 224 px: software WebGL 489 ms,
 * wasm SIMD 68 ms, plain JS 1,771 ms). So "auto" uses WebGL only when it runs on hardware.
 */
import type { BackendName, BackendPreference, BackendPreferenceOrigin } from './protocol';

export interface BackendChoice {
  backend: BackendName;
  /** One sentence for the UI: which backend runs and why. */
  reason: string;
}

export type WebglKind = { kind: 'none' } | { kind: 'software' | 'hardware'; renderer: string };

/** Renderer strings of WebGL implementations that run on the CPU. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render driver|mesa offscreen/i;

function rendererOf(gl: WebGL2RenderingContext): string {
  // Chromium reports the unmasked renderer without the extension too; others need it.
  const debugInfo = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer: unknown = gl.getParameter(debugInfo ? debugInfo.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  return typeof renderer === 'string' ? renderer : 'unknown renderer';
}

function releaseContext(gl: WebGL2RenderingContext): void {
  gl.getExtension('WEBGL_lose_context')?.loseContext();
}

/**
 * Probes WebGL 2 in this (worker) scope. A context the browser refuses under
 * failIfMajorPerformanceCaveat is software-rendered even when the renderer string hides it.
 */
export function detectWebgl(): WebglKind {
  if (typeof OffscreenCanvas === 'undefined') return { kind: 'none' };
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) return { kind: 'none' };
  const renderer = rendererOf(gl);
  releaseContext(gl);
  const fastGl = new OffscreenCanvas(1, 1).getContext('webgl2', { failIfMajorPerformanceCaveat: true });
  if (fastGl) releaseContext(fastGl);
  const software = SOFTWARE_RENDERER.test(renderer) || !fastGl;
  return { kind: software ? 'software' : 'hardware', renderer };
}

const PINNED_BY: Record<BackendPreferenceOrigin, string> = {
  url: 'chosen by the ?backend= parameter in the address',
  settings: 'chosen in the settings',
};

/** Turns the user's preference ("auto" or a pinned backend) and the device into the backend to start. */
export function chooseBackend(preference: BackendPreference, origin: BackendPreferenceOrigin, webgl: WebglKind = detectWebgl()): BackendChoice {
  if (preference !== 'auto') return { backend: preference, reason: `${PINNED_BY[origin]}.` };
  switch (webgl.kind) {
    case 'hardware':
      return { backend: 'webgl', reason: `chosen automatically: WebGL runs on a GPU here (${webgl.renderer}).` };
    case 'software':
      return {
        backend: 'wasm',
        reason: `chosen automatically: WebGL here is emulated on the CPU (${webgl.renderer}), where WebAssembly is several times faster.`,
      };
    case 'none':
      return { backend: 'wasm', reason: 'chosen automatically: WebGL is not available in this browser.' };
  }
}
