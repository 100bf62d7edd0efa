/**
 * Turns what the user dropped or chose (files, folders with subfolders) into the list of photos to
 * caption. Inside folders only image files count (by extension); files dropped one by one are all
 * taken, so a wrong one gets a readable error on its card. A file or subfolder that cannot be read
 * gets an error card of its own, and the rest of the folder is captioned.
 */
import { errorMessage } from '../worker/protocol';
import type { NamedFile, UnreadableFile } from './jobs';

const IMAGE_NAME = /\.(jpe?g|png|gif|webp|bmp|avif|heic|heif)$/i;

/**
 * Whether a file found in a folder is a photo to caption. Hidden files and folders are skipped too:
 * ".thumbnails/", and macOS's "._IMG_1.jpg" resource forks, which are not images despite their names.
 */
export function isPhotoPath(path: string): boolean {
  return IMAGE_NAME.test(path) && !path.split('/').some((part) => part.startsWith('.'));
}

/** The parts of the File and Directory Entries API (webkitGetAsEntry) this module uses. */
interface Entry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  /** "/trip/day 1/IMG_0001.jpg" */
  fullPath: string;
}

interface FileEntry extends Entry {
  file(success: (file: File) => void, failure?: (error: unknown) => void): void;
}

interface DirectoryEntry extends Entry {
  createReader(): { readEntries(success: (entries: Entry[]) => void, failure?: (error: unknown) => void): void };
}

/** A dropped item: a file, or a folder to walk. */
export type DroppedItem = { kind: 'file'; file: File } | { kind: 'folder'; entry: Entry };

interface DataTransferItemLike {
  kind: string;
  getAsFile(): File | null;
  webkitGetAsEntry?(): Entry | null;
}

/**
 * Reads the drop's items. Call it in the drop handler itself: the browser empties the data
 * transfer as soon as the handler returns, so folders are walked afterwards (walkDropped).
 */
export function droppedItems(items: Iterable<DataTransferItemLike>): DroppedItem[] {
  const dropped: DroppedItem[] = [];
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (entry?.isDirectory) {
      dropped.push({ kind: 'folder', entry });
      continue;
    }
    const file = item.getAsFile();
    if (file) dropped.push({ kind: 'file', file });
  }
  return dropped;
}

function readFile(entry: FileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/**
 * All entries of a folder: readEntries hands them out in batches (100 in Chrome) until it returns none.
 * When a batch cannot be read, those read before it are kept, with the reason.
 */
async function readFolder(entry: DirectoryEntry): Promise<{ entries: Entry[]; failure: unknown }> {
  const reader = entry.createReader();
  const entries: Entry[] = [];
  try {
    for (;;) {
      const batch = await new Promise<Entry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) return { entries, failure: null };
      entries.push(...batch);
    }
  } catch (failure) {
    return { entries, failure: failure ?? 'unknown error' };
  }
}

/** What a drop gives: photos, and the files and folders in it that could not be read. */
export type DroppedPhoto = NamedFile | UnreadableFile;

const pathOf = (entry: Entry) => entry.fullPath.replace(/^\//, '');

async function photosInFolder(folder: DirectoryEntry): Promise<DroppedPhoto[]> {
  const { entries, failure } = await readFolder(folder);
  const photos: DroppedPhoto[] = failure === null ? [] : [{ name: pathOf(folder), problem: `This folder could not be read completely: ${errorMessage(failure)}` }];
  for (const entry of entries) {
    const path = pathOf(entry);
    if (entry.isDirectory && !entry.name.startsWith('.')) photos.push(...(await photosInFolder(entry as DirectoryEntry)));
    else if (entry.isFile && isPhotoPath(path)) {
      photos.push(
        await readFile(entry as FileEntry).then(
          (file) => ({ file, name: path }),
          (error: unknown) => ({ name: path, problem: `This file could not be read: ${errorMessage(error)}` }),
        ),
      );
    }
  }
  return photos;
}

const byName = (a: DroppedPhoto, b: DroppedPhoto) => a.name.localeCompare(b.name, undefined, { numeric: true });

/**
 * The photos of a drop: loose files as they are, and every photo of each folder and its subfolders, by
 * path. Never fails: what cannot be read is in the list, with the reason.
 */
export async function walkDropped(items: readonly DroppedItem[]): Promise<DroppedPhoto[]> {
  const photos: DroppedPhoto[] = [];
  for (const item of items) {
    if (item.kind === 'file') photos.push({ file: item.file, name: item.file.name });
    else photos.push(...(await photosInFolder(item.entry as DirectoryEntry)).sort(byName));
  }
  return photos;
}

/** The photos of an <input webkitdirectory>: its files carry their path inside the chosen folder. */
export function photosOfChosenFolder(files: Iterable<File>): NamedFile[] {
  return [...files]
    .map((file) => ({ file, name: file.webkitRelativePath || file.name }))
    .filter((photo) => isPhotoPath(photo.name))
    .sort(byName);
}
