import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { versionModelPackages } from '../../tools/build/model-versions';
import { isPrecached } from '../../tools/build/offline-plugin';

async function writePackage(modelsDir: string, id: string, shard: string): Promise<void> {
  await mkdir(path.join(modelsDir, id), { recursive: true });
  await writeFile(path.join(modelsDir, id, 'model.json'), '{}');
  await writeFile(path.join(modelsDir, id, 'group1-shard1of1.bin'), shard);
}

describe('versionModelPackages', () => {
  it('moves each package into a folder named by its content hash and records it in models.json', async () => {
    const modelsDir = await mkdtemp(path.join(tmpdir(), 'models-'));
    await writePackage(modelsDir, 'a', 'weights one');
    await writeFile(path.join(modelsDir, 'models.json'), JSON.stringify({ default: 'a', models: [{ id: 'a', name: 'A', fixture: false }] }));
    const [entry] = await versionModelPackages(modelsDir);
    expect(entry.version).toMatch(/^[0-9a-f]{12}$/);
    expect((await readdir(path.join(modelsDir, 'a', entry.version!))).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect(JSON.parse(await readFile(path.join(modelsDir, 'models.json'), 'utf8')).models[0].version).toBe(entry.version);
    // Its size, for the page to state before a download on a metered connection: '{}' and 'weights one'.
    expect(entry.bytes).toBe(2 + 11);
    // Running again changes nothing; other content gives another version.
    expect(await versionModelPackages(modelsDir)).toEqual([entry]);
    const otherDir = await mkdtemp(path.join(tmpdir(), 'models-'));
    await writePackage(otherDir, 'a', 'weights two');
    await writeFile(path.join(otherDir, 'models.json'), JSON.stringify({ models: [{ id: 'a', name: 'A', fixture: false }] }));
    expect((await versionModelPackages(otherDir))[0].version).not.toBe(entry.version);
  });
});

describe('the service worker precache', () => {
  it('holds the shell, the model list, the threaded SIMD wasm build and the WebGL, wasm and CPU backend chunks, not model packages, the other wasm builds, the WebGPU chunk, the HEIC decoder or build records', () => {
    const precached = ['index.html', 'assets/index-x1.js', 'assets/tfjs-backend-wasm-threaded-simd-x3.wasm', 'models/models.json', 'assets/webgl-backend-x6.js', 'assets/wasm-backend-x7.js', 'assets/cpu-backend-x8.js'];
    expect(precached.every(isPrecached)).toBe(true);
    const notPrecached = [
      'sw.js', 'models/a/0123456789ab/group1-shard1of1.bin', 'assets/tfjs-backend-wasm-simd-x2.wasm', 'assets/tfjs-backend-wasm-x4.wasm', 'assets/webgpu-backend-x5.js',
      '.vite/workers/captioner.worker.json', 'assets/heic.worker-x9.js', 'assets/libheif-x10.js', 'assets/libheif-x11.wasm',
    ];
    expect(notPrecached.some(isPrecached)).toBe(false);
  });
});
