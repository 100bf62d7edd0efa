import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaptioner } from '../../src/lib/node';
import { FIXTURE_CAPTIONS_DE } from '../../tools/fixture/make-fixture-model';
import { generateFixture, greyImage } from './helpers/fixture';

describe('the Node API\'s language option', () => {
  let german: string;
  let english: string;
  beforeAll(async () => {
    [german, english] = (await Promise.all([generateFixture({ german: true }), generateFixture()])).map((fixture) => fixture.dir);
  });
  afterAll(() => Promise.all([german, english].map((dir) => rm(dir, { recursive: true, force: true }))));

  it('a German model says its language, and its results carry it with German sentences', async () => {
    const captioner = await loadCaptioner({ model: german, language: 'de' });
    try {
      expect(captioner.model.language).toBe('de');
      const photo = await captioner.caption(greyImage(32, 32, 240));
      expect(photo.language).toBe('de');
      expect(photo.captions.map((caption) => caption.text)).toEqual(FIXTURE_CAPTIONS_DE.bright);
      expect(photo.captions[0].sentence).toBe('Ein weißes Quadrat.');
    } finally {
      await captioner.dispose();
    }
  });

  it('refuses a model of another language, and a language no bundled model has (naming those there are)', async () => {
    await expect(loadCaptioner({ model: english, language: 'de' })).rejects.toThrow(/captions in "en", not "de"/);
    await expect(loadCaptioner({ language: 'tlh' })).rejects.toThrow(/no model captions in "tlh"; the languages there are: .*en \(English\)/);
    await expect(loadCaptioner({ language: 'not a tag' })).rejects.toThrow(RangeError);
  });
});
