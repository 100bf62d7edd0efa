import { beforeEach, describe, expect, it } from 'vitest';
import { parseModelList } from '../../src/captioner/model-list';
import { chooseLanguage, chooseModel, currentCaptionLanguage, startingModelId, useLanguageSettingStore } from '../../src/store/language-setting';
import { useModelStore } from '../../src/store/model';
import { useSettingsStore } from '../../src/store/settings';
import { voiceFor } from '../../src/store/speech';

const LIST = parseModelList({
  default: 'attend',
  models: [
    { id: 'attend', name: 'Attend' },
    { id: 'centernet', name: 'CenterNet' },
    { id: 'attend-de', name: 'Attend (German)', language: 'de' },
  ],
});

beforeEach(() => {
  useLanguageSettingStore.setState({ chosen: null });
  useModelStore.getState().setCatalog(LIST);
  useSettingsStore.getState().selectModel('attend');
});

describe("the page's caption language", () => {
  it('starts with the kept choice, else the browser\'s language where a model has it, else English', () => {
    expect(startingModelId(LIST, ['de-AT', 'en'])).toBe('attend-de');
    expect(startingModelId(LIST, ['fr-FR'])).toBe('attend');
    useLanguageSettingStore.setState({ chosen: 'en' });
    expect(startingModelId(LIST, ['de-AT'])).toBe('attend');
    // A kept language no model has any more: the browser's rule again.
    useLanguageSettingStore.setState({ chosen: 'fr' });
    expect(startingModelId(LIST, ['de-AT'])).toBe('attend-de');
  });

  it('choosing a language selects its default model and keeps the choice; a model of another language changes the language', () => {
    chooseLanguage('de');
    expect(useSettingsStore.getState().modelId).toBe('attend-de');
    expect(currentCaptionLanguage()).toBe('de');
    expect(useLanguageSettingStore.getState().chosen).toBe('de');
    chooseModel('centernet');
    expect(currentCaptionLanguage()).toBe('en');
    expect(useLanguageSettingStore.getState().chosen).toBe('en');
    // The selected English model stays when English is chosen again.
    chooseLanguage('en');
    expect(useSettingsStore.getState().modelId).toBe('centernet');
  });

  it('reads aloud with a voice of the caption\'s language, the default one first', () => {
    const voice = (name: string, lang: string, isDefault = false) => ({ name, lang, default: isDefault, localService: true, voiceURI: name }) as SpeechSynthesisVoice;
    const voices = [voice('Anna', 'de-DE'), voice('Samantha', 'en-US', true), voice('Markus', 'de-AT'), voice('Daniel', 'en-GB')];
    expect(voiceFor(voices, 'de')?.name).toBe('Anna');
    expect(voiceFor(voices, 'en')?.name).toBe('Samantha');
    expect(voiceFor(voices, 'fr')).toBeNull();
  });
});
