/**
 * Which TensorFlow.js backend to run. A GPU is fastest (WebGPU, then WebGL), but a software-emulated
 * one (SwiftShader, llvmpipe: machines without a usable GPU, many VMs) is several times slower than
 * WebAssembly with SIMD (measured in headless Chromium, MobileNetV2 224 px: software WebGL 489 ms,
 * wasm SIMD 68 ms, plain JS 1,771 ms). So "auto" uses WebGPU or WebGL only when it runs on hardware.
 */
import type { BackendName, BackendPreference, BackendPreferenceOrigin } from './protocol';

export interface BackendChoice {
  backend: BackendName;
  /** One sentence for the UI: which backend runs and why. */
  reason: string;
}

export type WebglKind = { kind: 'none' } | { kind: 'software' | 'hardware'; renderer: string };

export type WebgpuKind = { kind: 'none' } | { kind: 'software' | 'hardware'; adapter: string };

/** Renderer (WebGL) and adapter (WebGPU) names of implementations that run on the CPU. */
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

/** The part of WebGPU used here (TypeScript's DOM library has no WebGPU types). */
interface NavigatorWithWebgpu {
  gpu?: { requestAdapter(): Promise<{ info: { vendor: string; architecture: string; description: string }; isFallbackAdapter?: boolean } | null> };
}

/**
 * Asks for a WebGPU adapter in this (worker) scope. The fallback adapter, or one whose vendor and
 * architecture name a CPU renderer (SwiftShader in Chromium), is software.
 */
export async function detectWebgpu(): Promise<WebgpuKind> {
  const adapter = await (navigator as NavigatorWithWebgpu).gpu?.requestAdapter().catch(() => null);
  if (!adapter) return { kind: 'none' };
  const { vendor, architecture, description } = adapter.info;
  const name = [vendor, architecture, description].filter(Boolean).join(' ') || 'unknown adapter';
  const software = adapter.isFallbackAdapter === true || SOFTWARE_RENDERER.test(name);
  return { kind: software ? 'software' : 'hardware', adapter: name };
}

const PINNED_BY: Record<BackendPreferenceOrigin, string> = {
  url: 'chosen by the ?backend= parameter in the address',
  settings: 'chosen in the settings',
};

/** Turns the user's preference ("auto" or a pinned backend) and the device into the backend to start. */
export function chooseBackend(
  preference: BackendPreference,
  origin: BackendPreferenceOrigin,
  webgl: WebglKind = detectWebgl(),
  webgpu: WebgpuKind = { kind: 'none' },
): BackendChoice {
  if (preference !== 'auto') return { backend: preference, reason: `${PINNED_BY[origin]}.` };
  if (webgpu.kind === 'hardware') return { backend: 'webgpu', reason: `chosen automatically: WebGPU runs on a GPU here (${webgpu.adapter}).` };
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
