/**
 * XMP sidecars (photo.jpg.xmp) holding a caption as dc:description, the field digiKam, darktable
 * and Lightroom show as the photo's description or caption. The photo itself is never touched.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { xmpDocument } from '../captioner/xmp-packet';

/** First line of every sidecar this tool writes: it may rewrite those, but never another program's. */
const SIDECAR_MARK = '<!-- written by show-and-tell-browser: npm run caption -- --xmp -->';

/** The sidecar's text; `captionWriter` (photoshop:CaptionWriter) says who wrote the description, `language` its language. */
export function xmpSidecar(description: string, captionWriter?: string, language?: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${SIDECAR_MARK}\n${xmpDocument(description, captionWriter, language)}`;
}

export const sidecarPath = (photoPath: string) => `${photoPath}.xmp`;

/**
 * Writes `photo.ext.xmp`, unless a sidecar from another program is there (darktable keeps its edit
 * history in it, Lightroom its ratings): that one is left as it is and the result says so.
 * Written to a temporary file and renamed, so an interrupted run never leaves half a sidecar.
 */
export async function writeSidecar(photoPath: string, description: string, captionWriter?: string, language?: string): Promise<'written' | 'kept-existing'> {
  const target = sidecarPath(photoPath);
  const existing = await readFile(target, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing !== null && !existing.includes(SIDECAR_MARK)) return 'kept-existing';
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, xmpSidecar(description, captionWriter, language));
  await rename(temporary, target);
  return 'written';
}
