/**
 * The journal behind --write-metadata's in-place writes (src/cli/in-place-write.ts): a photo keeps its
 * inode and dates, and a run that died after its journal entry (before, inside or after the copy into
 * the photo) is finished by the next run, or the photo left alone when someone changed it since.
 */
import { spawnSync } from 'node:child_process';
import { link, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingRecoveries, recoverJournals, WriteJournal } from '../../src/cli/in-place-write';

const IN_2020 = new Date('2020-05-01T12:00:00Z');
const ORIGINAL = Buffer.from('original photo bytes, the longer of the two versions');
const NEW = Buffer.from('NEW photo bytes, written');

/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

describe('write journal', () => {
  let dir: string;
  let root: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'in-place-'));
    root = path.join(dir, 'journals');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function photo(name: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, ORIGINAL);
    await utimes(file, IN_2020, IN_2020);
    return file;
  }
  const makeNew = (copy: string) => writeFile(copy, NEW);

  it('rewrites a photo in place: the same inode (a hard link sees it), its dates kept, nothing left in the journal', async () => {
    const file = await photo('whole.jpg');
    await link(file, path.join(dir, 'whole-link.jpg'));
    const before = await stat(file);
    const journal = await WriteJournal.create(root, { updateMtime: false });
    await journal.rewrite(file, 'jpg', makeNew);
    await journal.close();
    const after = await stat(file);
    expect([after.ino, after.nlink, after.mtime]).toEqual([before.ino, 2, IN_2020]);
    expect(await readFile(path.join(dir, 'whole-link.jpg'))).toEqual(NEW);
    expect(await readdir(root)).toEqual([]);
  });

  it('the next run finishes a write that a kill stopped before, inside or after the copy, and leaves a photo changed since alone', async () => {
    const journal = await WriteJournal.create(root, { updateMtime: false });
    const untouched = await photo('untouched.jpg');
    const torn = await photo('torn.jpg');
    const copied = await photo('copied.jpg');
    const changed = await photo('changed.jpg');
    for (const file of [untouched, torn, copied, changed]) await journal.begin(file, 'jpg', makeNew);
    // As a kill leaves them: torn inside the copy (the new version's first half over the original),
    // copied but its date not yet set back; and one a person changed after the run died.
    await writeFile(torn, Buffer.concat([NEW.subarray(0, 10), ORIGINAL.subarray(10)]));
    await writeFile(copied, NEW);
    await writeFile(changed, 'a person edited this photo since');
    // The run is dead: its journal now bears a pid that no process has.
    await rename(journal.folder, path.join(root, `${deadPid()}.dead`));
    // What --dry-run, which finishes none, reports.
    expect(await pendingRecoveries(root)).toBe(4);

    const notes = await recoverJournals(root);
    for (const file of [untouched, torn, copied]) {
      expect(await readFile(file), file).toEqual(NEW);
      expect((await stat(file)).mtime, file).toEqual(IN_2020);
    }
    expect(await readFile(changed, 'utf8')).toBe('a person edited this photo since');
    expect(notes).toHaveLength(4);
    expect(notes.find((note) => note.startsWith(changed))).toContain('changed since');
    expect(await readdir(root)).toEqual([]);
  });

  it('leaves the journal of a run that is still running alone', async () => {
    const journal = await WriteJournal.create(root, { updateMtime: false });
    const file = await photo('running.jpg');
    await journal.begin(file, 'jpg', makeNew);
    expect(await pendingRecoveries(root)).toBe(0);
    expect(await recoverJournals(root)).toEqual([]);
    expect(await readFile(file)).toEqual(ORIGINAL);
    await rm(journal.folder, { recursive: true });
  });
});
