import { describe, expect, it } from 'vitest';
import { chooseBackend } from '../../src/worker/backend-choice';

describe('chooseBackend', () => {
  it('runs WebGL on a GPU, WebAssembly on a software WebGL or none', () => {
    expect(chooseBackend('auto', 'settings', { kind: 'hardware', renderer: 'ANGLE (NVIDIA GeForce RTX 3060)' })).toMatchObject({ backend: 'webgl' });
    const software = chooseBackend('auto', 'settings', { kind: 'software', renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device))' });
    expect(software.backend).toBe('wasm');
    expect(software.reason).toContain('SwiftShader');
    expect(chooseBackend('auto', 'settings', { kind: 'none' })).toEqual({
      backend: 'wasm',
      reason: 'chosen automatically: WebGL is not available in this browser.',
    });
  });

  it('runs WebGPU on a GPU, but never on a software adapter', () => {
    const gpu = { kind: 'hardware', adapter: 'nvidia ampere' } as const;
    const softwareGl = { kind: 'software', renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device))' } as const;
    expect(chooseBackend('auto', 'settings', softwareGl, gpu)).toEqual({ backend: 'webgpu', reason: 'chosen automatically: WebGPU runs on a GPU here (nvidia ampere).' });
    expect(chooseBackend('auto', 'settings', softwareGl, { kind: 'software', adapter: 'google swiftshader' }).backend).toBe('wasm');
    expect(chooseBackend('auto', 'settings', { kind: 'hardware', renderer: 'ANGLE (NVIDIA)' }, { kind: 'software', adapter: 'google swiftshader' }).backend).toBe('webgl');
    expect(chooseBackend('webgpu', 'url', softwareGl, { kind: 'software', adapter: 'google swiftshader' }).backend).toBe('webgpu');
  });

  it('keeps a pinned backend whatever the device, and says who pinned it', () => {
    const software = { kind: 'software', renderer: 'llvmpipe' } as const;
    expect(chooseBackend('webgl', 'url', software)).toEqual({ backend: 'webgl', reason: 'chosen by the ?backend= parameter in the address.' });
    expect(chooseBackend('cpu', 'settings', software)).toEqual({ backend: 'cpu', reason: 'chosen in the settings.' });
  });
});
