/**
 * Which files a caption run covers: the files given, and the photos in the folders given (walked
 * recursively), then the share of them that one shard (--shard K/N) takes.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './shared';

/** Extensions captioned when walking a folder (files named on the command line are always tried). */
export const PHOTO_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp'];

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

/** Photos under `folder`, sorted by name at every level; hidden entries (".thumbnails", "._IMG_1.JPG") are skipped. */
async function walkFolder(folder: string, inside: string[], found: PhotoFile[]): Promise<void> {
  const entries = await readdir(path.join(folder, ...inside), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const parts = [...inside, entry.name];
    // Symbolic links to files count; links to folders are not followed (they can loop).
    const isFile = entry.isFile() || (entry.isSymbolicLink() && (await stat(path.join(folder, ...parts)).catch(() => null))?.isFile());
    if (entry.isDirectory()) await walkFolder(folder, parts, found);
    else if (isFile && isPhotoName(entry.name)) found.push({ path: path.join(folder, ...parts), shardKey: parts.join('/') });
  }
}

/** The files to caption, in argument order, each once (a file reached through two arguments keeps its first). */
export async function findPhotos(args: string[]): Promise<PhotoFile[]> {
  const found: PhotoFile[] = [];
  for (const arg of args) {
    const info = await stat(arg).catch(() => null);
    if (!info) throw new UsageError(`no such file or folder: ${arg}`);
    if (info.isDirectory()) await walkFolder(arg, [], found);
    else found.push({ path: arg, shardKey: path.basename(arg) });
  }
  const seen = new Set<string>();
  return found.filter((file) => {
    const resolved = path.resolve(file.path);
    if (seen.has(resolved)) return false;
    seen.add(resolved);
    return true;
  });
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
