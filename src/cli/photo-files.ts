/**
 * Which files a caption run covers: the files given, and the photos in the folders given (walked
 * recursively), then the share of them that one shard (--shard K/N) takes.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './shared';

/** Extensions captioned when walking a folder (files named on the command line are always tried). */
export const PHOTO_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp', '.heic', '.heif'];

export interface PhotoFile {
  /** As found: the argument, or the folder argument joined with the path inside it. */
  path: string;
  /**
   * What the shard is chosen by: the path inside the folder argument (the base name for a file
   * argument), with / separators. It does not depend on where the library is mounted or on the other
   * files, so every machine and every run puts a photo in the same shard.
   */
  shardKey: string;
}

const isPhotoName = (name: string) => PHOTO_EXTENSIONS.includes(path.extname(name).toLowerCase());

/** What the arguments hold: the photos, and the other files found in their folders (not captioned, but named so nothing is left out in silence). */
export interface FoundFiles {
  photos: PhotoFile[];
  /** Paths, as found, of the folders' files whose extension is not a photo's. */
  skipped: string[];
}

/** Photos under `folder`, sorted by name at every level; hidden entries (".thumbnails", "._IMG_1.JPG") are skipped. */
async function walkFolder(folder: string, inside: string[], found: FoundFiles): Promise<void> {
  const entries = await readdir(path.join(folder, ...inside), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const parts = [...inside, entry.name];
    // Symbolic links to files count; links to folders are not followed (they can loop).
    const isFile = entry.isFile() || (entry.isSymbolicLink() && (await stat(path.join(folder, ...parts)).catch(() => null))?.isFile());
    if (entry.isDirectory()) await walkFolder(folder, parts, found);
    else if (isFile && isPhotoName(entry.name)) found.photos.push({ path: path.join(folder, ...parts), shardKey: parts.join('/') });
    else if (isFile) found.skipped.push(path.join(folder, ...parts));
  }
}

/** The files to caption, in argument order, each once (a file reached through two arguments keeps its first). */
export async function findPhotos(args: string[]): Promise<FoundFiles> {
  const found: FoundFiles = { photos: [], skipped: [] };
  for (const arg of args) {
    const info = await stat(arg).catch(() => null);
    if (!info) throw new UsageError(`no such file or folder: ${arg}`);
    if (info.isDirectory()) await walkFolder(arg, [], found);
    else found.photos.push({ path: arg, shardKey: path.basename(arg) });
  }
  const seen = new Set<string>();
  const photos = found.photos.filter((file) => {
    const resolved = path.resolve(file.path);
    if (seen.has(resolved)) return false;
    seen.add(resolved);
    return true;
  });
  return { photos, skipped: [...new Set(found.skipped)] };
}

/** "skipped 3 files that are not photos: 2 .mov, 1 .tiff (trip/clip.mov, trip/IMG_1.tiff, …)", or null when none. */
export function skippedNote(skipped: readonly string[]): string | null {
  if (skipped.length === 0) return null;
  const byExtension = new Map<string, number>();
  for (const file of skipped) {
    const extension = path.extname(file).toLowerCase() || '(no extension)';
    byExtension.set(extension, (byExtension.get(extension) ?? 0) + 1);
  }
  const counts = [...byExtension].sort((a, b) => b[1] - a[1]).map(([extension, count]) => `${count} ${extension}`);
  const shown = 5;
  const names = skipped.slice(0, shown).join(', ') + (skipped.length > shown ? `, and ${skipped.length - shown} more` : '');
  return `skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} that ${skipped.length === 1 ? 'is' : 'are'} not ${PHOTO_EXTENSIONS.join(' ')}: ${counts.join(', ')} (${names})`;
}

export interface Shard {
  /** 0 … count − 1, as Kubernetes' JOB_COMPLETION_INDEX. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count) throw new UsageError(`--shard must be K/N with 0 <= K < N, got "${text}"`);
  return { index, count };
}

/** The shard a photo belongs to: a hash of its shard key, so shards are even and stable as files come and go. */
export function shardOf(shardKey: string, count: number): number {
  return createHash('sha256').update(shardKey).digest().readUInt32BE(0) % count;
}
