import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaptioner } from '../../src/captioner';
import { capitaliseNouns, parseNounList } from '../../src/captioner/format';
import { Vocabulary } from '../../src/captioner/vocabulary';
import { folderPackageFiles } from '../../src/node/package-files';
import { initNodeBackend } from '../../src/node/runtime';
import { packageNouns } from '../../training/export';
import { generateFixture, greyImage } from './helpers/fixture';

describe('German capitals in the shown sentence', () => {
  const nouns = parseNounList('hund\nwiese\nstraße\nmädchen\n\nüberführung\n');

  it('capitalises the listed nouns and the first word, keeping umlauts and ß', () => {
    const words = 'eine person läuft mit einem hund über die wiese an der straße .'.split(' ');
    expect(capitaliseNouns(words, nouns).join(' ')).toBe('Eine person läuft mit einem Hund über die Wiese an der Straße .');
    expect(capitaliseNouns(['überführung', 'über', 'einer', 'straße'], nouns)).toEqual(['Überführung', 'über', 'einer', 'Straße']);
    expect(capitaliseNouns(['über', 'die', 'wiese'], nouns)).toEqual(['Über', 'die', 'Wiese']);
    expect(capitaliseNouns([], nouns)).toEqual([]);
  });

  it('reads a noun list of one lower-case word a line, and refuses anything else', () => {
    expect([...nouns]).toEqual(['hund', 'wiese', 'straße', 'mädchen', 'überführung']);
    expect(() => parseNounList('hund\nWiese\n')).toThrow('not "Wiese"');
    expect(() => parseNounList('roter hund\n')).toThrow('not "roter hund"');
  });

  it("ships the vocabulary's nouns, less the gendered person words the cleaning left as adjectives", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nouns-'));
    await writeFile(path.join(dir, 'nouns.txt'), 'person\njunge\nhund\nzeppelin\n');
    await writeFile(path.join(dir, 'cleaning.json'), JSON.stringify({ 'gendered person words left in the vocabulary': ['junge'] }));
    const vocabulary = Vocabulary.parse('<S> 9\n</S> 9\neine 5\njunge 4\nperson 4\nhund 2\n');
    // "zeppelin" is not in the vocabulary; "junge" is said only as an adjective ("eine junge Person").
    expect(await packageNouns(path.join(dir, 'nouns.txt'), vocabulary)).toEqual(['person', 'hund']);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('a package whose card names a noun list', () => {
  let dir: string;

  beforeAll(async () => {
    await initNodeBackend('cpu');
    dir = (await generateFixture()).dir;
    const card = JSON.parse(await readFile(path.join(dir, 'card.json'), 'utf8'));
    await writeFile(path.join(dir, 'card.json'), JSON.stringify({ ...card, words: { ...card.words, nouns: 'nouns.txt' } }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("shows its captions with the nouns capitalised, and keeps the model's own words", async () => {
    await writeFile(path.join(dir, 'nouns.txt'), 'square\n');
    const captioner = await loadCaptioner(folderPackageFiles(dir));
    const { captions } = await captioner.caption(greyImage(64, 48, 250));
    captioner.dispose();
    expect(captions[0].text).toBe('A white Square .');
    expect(captions[0].words).toEqual(['a', 'white', 'square', '.']);
  });

  it('does not load without the list it names', async () => {
    await rm(path.join(dir, 'nouns.txt'));
    await expect(loadCaptioner(folderPackageFiles(dir))).rejects.toThrow('nouns.txt');
  });
});
