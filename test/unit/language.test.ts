import { describe, expect, it } from 'vitest';
import { parseModelCard } from '../../src/captioner/card';
import { languageDefaultModel, languageName, modelLanguages, preferredLanguage } from '../../src/captioner/language';
import { parseModelList } from '../../src/captioner/model-list';

const LIST = parseModelList({
  default: 'attend',
  models: [
    { id: 'attend', name: 'Attend' },
    { id: 'fixture-de', name: 'Fixture', language: 'de', fixture: true },
    { id: 'attend-de', name: 'Attend (German)', language: 'de' },
    { id: 'attend-de-large', name: 'Attend (German, large)', language: 'de' },
  ],
});

describe('caption languages', () => {
  it('reads models.json languages: none means English, tags are checked and made canonical', () => {
    expect(LIST.models.map((entry) => entry.language)).toEqual(['en', 'de', 'de', 'de']);
    expect(parseModelList({ models: [{ id: 'x', language: 'DE-at' }] }).models[0].language).toBe('de-AT');
    expect(() => parseModelList({ models: [{ id: 'x', language: 'not a tag' }] })).toThrow(/"language" must be a BCP 47 tag/);
  });

  it('reads card.json `language` the same way', () => {
    const card = { id: 'm', name: 'M', image: { height: 32, width: 32, resize: 'squash', scale: 1 }, stateSize: 4, vocabularySize: 10 };
    expect(parseModelCard(card).language).toBe('en');
    expect(parseModelCard({ ...card, language: 'de' }).language).toBe('de');
    expect(() => parseModelCard({ ...card, language: 42 })).toThrow(/language must be a BCP 47 language tag/);
  });

  it('a language picks its default model: the list default if it is of that language, else the first real model, never a fixture first', () => {
    expect(modelLanguages(LIST)).toEqual(['en', 'de']);
    expect(languageDefaultModel(LIST, 'en')?.id).toBe('attend');
    expect(languageDefaultModel(LIST, 'de')?.id).toBe('attend-de');
    expect(languageDefaultModel(LIST, 'de-CH')?.id).toBe('attend-de');
    expect(languageDefaultModel(LIST, 'fr')).toBeUndefined();
  });

  it('starts in the first browser language a model has, else English, else the default model\'s', () => {
    expect(preferredLanguage(LIST, ['de-DE', 'en-US'])).toBe('de');
    expect(preferredLanguage(LIST, ['fr-FR', 'de'])).toBe('de');
    expect(preferredLanguage(LIST, ['fr-FR'])).toBe('en');
    expect(preferredLanguage(LIST, [])).toBe('en');
    const germanOnly = parseModelList({ default: 'attend-de', models: [{ id: 'attend-de', language: 'de' }] });
    expect(preferredLanguage(germanOnly, ['fr'])).toBe('de');
    expect(preferredLanguage({ models: [] }, ['de'])).toBeNull();
  });

  it('names each language in itself, as a language menu does', () => {
    expect([languageName('de'), languageName('en')]).toEqual(['Deutsch', 'English']);
  });
});
