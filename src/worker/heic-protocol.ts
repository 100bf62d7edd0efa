/** Messages between the page and its HEIC worker (heic.worker.ts), which decodes iPhone photos off the page's thread. */

export interface HeicRequest {
  id: number;
  file: Blob;
}

export type HeicReply = { type: 'decoded'; id: number; bitmap: ImageBitmap } | { type: 'failed'; id: number; message: string };
