/**
 * Rewrites a photo in place, so that what the file system records about it stays: its inode (hard
 * links stay one file, a symbolic link keeps pointing at it), owner, group, mode, extended attributes
 * and (unless asked otherwise) its access and modification times.
 *
 * Replacing a file by renaming a new one over it would lose all of those, but copying bytes into a
 * file is not atomic, so each photo goes through a journal first:
 *   1. the original bytes are saved in the journal, and the new version is made and checked from a
 *      second copy there (never in the photo's own folder);
 *   2. an entry naming the photo, the hashes of both versions and its times is written (atomically);
 *   3. the new bytes are copied into the photo, synced, and its times set back;
 *   4. the entry is removed, then the copies.
 * A run killed anywhere leaves each photo as it was, fully written, or (killed inside step 3) a mix of
 * the two versions that the journal entry describes. The next run finishes every entry left by a
 * process that is no longer running: it copies the new version in, restores the times, and leaves a
 * photo alone that someone changed in the meantime.
 *
 * Journals live in $XDG_STATE_HOME (default ~/.local/state)/show-and-tell-browser/write-metadata/<host>/,
 * one folder per process, so runs in parallel (shards) never finish each other's work.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Where this host's journals are kept. */
export function defaultJournalRoot(): string {
  const state = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'show-and-tell-browser', 'write-metadata', os.hostname());
}

interface JournalEntry {
  /** The photo itself (symbolic links resolved). */
  target: string;
  /** Its device and inode (as decimal text: an inode may not fit a double): a different file at that path is left alone. */
  dev: string;
  ino: string;
  originalSha256: string;
  newSha256: string;
  /** The times to set back, in nanoseconds since 1970; absent when the run updates the modification time (--update-mtime). */
  atimeNs?: string;
  mtimeNs?: string;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Writes a new file and syncs it to the disk before returning. */
async function writeDurably(file: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Syncs a file (or a folder's list of names) to the disk. */
async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Copies `bytes` over the file's own bytes (same inode: links, owner and mode stay) and syncs them. */
async function copyInto(file: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.writeFile(bytes); // from position 0, where a new handle is, however many writes it takes
    await handle.truncate(bytes.length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** utimes takes seconds as a double: nanoseconds are kept to a fraction of a microsecond. */
const seconds = (nanoseconds: string) => Number(BigInt(nanoseconds)) / 1e9;

async function restoreTimes(entry: JournalEntry): Promise<void> {
  if (entry.atimeNs !== undefined && entry.mtimeNs !== undefined) await utimes(entry.target, seconds(entry.atimeNs), seconds(entry.mtimeNs));
}

/** Whether `current` is what an interrupted copy of `written` over `original` leaves: each byte from one or the other. */
function isInterruptedCopy(current: Uint8Array, original: Uint8Array, written: Uint8Array): boolean {
  if (current.length < Math.min(original.length, written.length) || current.length > Math.max(original.length, written.length)) return false;
  for (let i = 0; i < current.length; i++) if (current[i] !== written[i] && current[i] !== original[i]) return false;
  return true;
}

export interface WriteTimes {
  /** Set the modification time to now (--update-mtime) instead of keeping it. */
  updateMtime: boolean;
}

export class WriteJournal {
  private next = 0;

  private constructor(
    readonly folder: string,
    private readonly times: WriteTimes,
  ) {}

  /** A journal of this process's own under `root`. */
  static async create(root: string, times: WriteTimes): Promise<WriteJournal> {
    const folder = path.join(root, `${process.pid}.${randomBytes(4).toString('hex')}`);
    await mkdir(folder, { recursive: true });
    return new WriteJournal(folder, times);
  }

  /**
   * Replaces `target`'s bytes (a regular file, links resolved) with a new version that `prepare` makes
   * from a copy of it in the journal, named with `extension` (the format the bytes really are, which
   * ExifTool goes by), and checks. `target` keeps its inode, owner, mode and times.
   */
  async rewrite(target: string, extension: string, prepare: (copy: string) => Promise<void>): Promise<void> {
    await (await this.begin(target, extension, prepare)).finish();
  }

  /**
   * Steps 1 and 2 of a rewrite (the top of this file); `finish` does steps 3 and 4. Apart so that a test
   * can stop between them, as a kill would.
   */
  async begin(target: string, extension: string, prepare: (copy: string) => Promise<void>): Promise<{ finish: () => Promise<void> }> {
    const base = path.join(this.folder, String(this.next++));
    const entryFile = `${base}.json`;
    const copy = `${base}.new.${extension}`;
    // The entry goes first, so that no later run acts on it; then nothing here is needed any more.
    const discard = async () => {
      await rm(entryFile, { force: true });
      await Promise.all([`${entryFile}.part`, `${base}.original`, copy].map((file) => rm(file, { force: true })));
    };
    const before: BigIntStats = await stat(target, { bigint: true });
    const original = await readFile(target);
    let entry: JournalEntry;
    let written: Buffer;
    try {
      await writeDurably(`${base}.original`, original);
      await writeDurably(copy, original);
      await prepare(copy);
      await syncFile(copy); // ExifTool renamed a new file into its place
      written = await readFile(copy);
      entry = {
        target,
        dev: String(before.dev),
        ino: String(before.ino),
        originalSha256: sha256(original),
        newSha256: sha256(written),
        ...(!this.times.updateMtime && { atimeNs: String(before.atimeNs), mtimeNs: String(before.mtimeNs) }),
      };
      await writeDurably(`${entryFile}.part`, Buffer.from(JSON.stringify(entry)));
      await rename(`${entryFile}.part`, entryFile);
      await syncFile(this.folder);
    } catch (error) {
      await discard();
      throw error;
    }
    return {
      finish: async () => {
        try {
          await copyInto(target, written);
        } catch (error) {
          // A copy that failed part way (a full disk) is undone at once; should that fail too, the entry stays for the next run.
          await copyInto(target, original);
          await restoreTimes(entry);
          await discard();
          throw error;
        }
        await restoreTimes(entry);
        await discard();
      },
    };
  }

  /** Removes the journal's folder, once every photo is done (a photo whose copy failed keeps its entry). */
  async close(): Promise<void> {
    if ((await readdir(this.folder)).length === 0) await rm(this.folder, { recursive: true, force: true });
  }
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The journal folders under `root` of processes that are no longer running (named "<pid>.<random>"). */
async function abandonedJournals(root: string): Promise<string[]> {
  const names = await readdir(root).catch(() => []);
  return names
    .filter((name) => {
      const pid = Number(name.split('.')[0]);
      return Number.isInteger(pid) && pid !== process.pid && !isRunning(pid);
    })
    .map((name) => path.join(root, name));
}

/** What recovery did, one line per photo, for stderr. */
export type RecoveryNote = string;

/** Finishes one entry; false when it must stay (the photo could not be written now). */
async function recoverEntry(folder: string, name: string, notes: RecoveryNote[]): Promise<boolean> {
  const base = path.join(folder, name.slice(0, -'.json'.length));
  const entry = JSON.parse(await readFile(`${base}.json`, 'utf8')) as JournalEntry;
  const copy = (await readdir(folder)).find((file) => file.startsWith(`${path.basename(base)}.new.`));
  const info = await stat(entry.target, { bigint: true }).catch(() => null);
  if (!info || String(info.dev) !== entry.dev || String(info.ino) !== entry.ino) {
    notes.push(`${entry.target}: gone or replaced since an interrupted run; left as it is`);
    return true;
  }
  try {
    const current = await readFile(entry.target);
    const currentSha = sha256(current);
    if (currentSha === entry.newSha256) {
      await restoreTimes(entry);
      notes.push(`${entry.target}: its description was written by an interrupted run; its times are set back`);
      return true;
    }
    const written = copy ? await readFile(path.join(folder, copy)) : null;
    const original = await readFile(`${base}.original`).catch(() => null);
    if (written && sha256(written) === entry.newSha256 && (currentSha === entry.originalSha256 || (original && isInterruptedCopy(current, original, written)))) {
      await copyInto(entry.target, written);
      await restoreTimes(entry);
      notes.push(`${entry.target}: finished writing its description, which an interrupted run had begun`);
      return true;
    }
  } catch (error) {
    notes.push(`${entry.target}: could not finish the write an interrupted run began (${(error as Error).message}); tried again next run`);
    return false;
  }
  notes.push(`${entry.target}: changed since an interrupted run began writing it; left as it is`);
  return true;
}

/**
 * Finishes what runs that are no longer running left in their journals under `root` (see the top of
 * this file), and removes those journals. Returns a line per photo it touched or left.
 */
export async function recoverJournals(root: string): Promise<RecoveryNote[]> {
  const notes: RecoveryNote[] = [];
  for (const folder of await abandonedJournals(root)) {
    let keep = false;
    for (const file of await readdir(folder)) {
      if (file.endsWith('.json') && !(await recoverEntry(folder, file, notes))) keep = true;
    }
    if (!keep) await rm(folder, { recursive: true, force: true });
  }
  return notes;
}

/** How many photos journals under `root` hold for runs that are no longer running (for --dry-run, which finishes none). */
export async function pendingRecoveries(root: string): Promise<number> {
  let count = 0;
  for (const folder of await abandonedJournals(root)) count += (await readdir(folder)).filter((file) => file.endsWith('.json')).length;
  return count;
}
