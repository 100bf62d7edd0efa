/**
 * Decodes HEIC/HEIF photos (iPhones) for the page, which browsers other than Safari cannot: libheif
 * in WebAssembly (src/captioner/heic.ts, as in the CLI), into a full-size ImageBitmap that the page
 * then treats like any other photo. Started only when such a photo arrives (src/store/heic-decoding.ts).
 */
import heicWasmUrl from 'libheif-js/libheif-wasm/libheif.wasm?url';
import { decodeHeic } from '../captioner/heic';
import type { HeicReply, HeicRequest } from './heic-protocol';

async function fetchHeicWasm(): Promise<ArrayBuffer> {
  const response = await fetch(heicWasmUrl);
  if (!response.ok) throw new Error(`its decoder could not be loaded (HTTP ${response.status})`);
  return response.arrayBuffer();
}

const reply = (message: HeicReply, transfer: Transferable[] = []) => self.postMessage(message, { transfer });

self.onmessage = async ({ data: { id, file } }: MessageEvent<HeicRequest>) => {
  try {
    const { width, height, data } = await decodeHeic(new Uint8Array(await file.arrayBuffer()), fetchHeicWasm);
    const bitmap = await createImageBitmap(new ImageData(new Uint8ClampedArray(data.buffer as ArrayBuffer, data.byteOffset, data.length), width, height));
    reply({ type: 'decoded', id, bitmap }, [bitmap]);
  } catch (error) {
    reply({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  }
};
