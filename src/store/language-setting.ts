/**
 * The caption language: the language of the model the page captions with. The person's choice in the
 * settings ("Caption language", or a model of another language) is kept across visits; without one the
 * page starts in the browser's language where a model captions in it (src/captioner/language.ts).
 */
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import { DEFAULT_CAPTION_LANGUAGE, isLanguageTag, languageDefaultModel, preferredLanguage, servesLanguage } from '../captioner/language';
import type { ModelList, ModelListEntry } from '../captioner/model-list';
import { useModelStore } from './model';
import { useSettingsStore } from './settings';

interface LanguageSettingState {
  /** The language the person chose; null until they choose one. */
  chosen: string | null;
}

export const useLanguageSettingStore = create<LanguageSettingState>()(
  persist(() => ({ chosen: null as string | null }), {
    name: 'show-and-tell-language',
    // Whatever an older version (or a person in devtools) stored, only a language tag survives.
    merge: (stored, current) => {
      const chosen = (stored as Partial<LanguageSettingState> | null)?.chosen;
      return { ...current, chosen: isLanguageTag(chosen) ? chosen : null };
    },
  }),
);

const modelList = (): ModelList => {
  const { catalog, defaultModelId } = useModelStore.getState();
  return defaultModelId === null ? { models: catalog } : { default: defaultModelId, models: catalog };
};

/** The model to start with: the kept language's, else the browser's language's (navigator.languages), else English's. */
export function startingModelId(list: ModelList, browserLanguages: readonly string[]): string | null {
  const { chosen } = useLanguageSettingStore.getState();
  const kept = chosen === null ? undefined : languageDefaultModel(list, chosen);
  if (kept) return kept.id;
  const language = preferredLanguage(list, browserLanguages);
  return (language === null ? undefined : languageDefaultModel(list, language))?.id ?? list.models[0]?.id ?? null;
}

const languageOfModel = (catalog: readonly ModelListEntry[], modelId: string | null) =>
  catalog.find((entry) => entry.id === modelId)?.language ?? DEFAULT_CAPTION_LANGUAGE;

/** The language of the selected model ("en" before models.json is read). */
export function useCaptionLanguage(): string {
  const modelId = useSettingsStore((state) => state.modelId);
  const catalog = useModelStore((state) => state.catalog);
  return languageOfModel(catalog, modelId);
}

/** The selected model's language, outside React. */
export const currentCaptionLanguage = () => languageOfModel(useModelStore.getState().catalog, useSettingsStore.getState().modelId);

/** "Caption language": keeps the choice and selects the language's default model (unless the selected one captions in it). */
export function chooseLanguage(language: string): void {
  useLanguageSettingStore.setState({ chosen: language });
  if (servesLanguage(currentCaptionLanguage(), language)) return;
  const model = languageDefaultModel(modelList(), language);
  if (model) useSettingsStore.getState().selectModel(model.id);
}

/** The model picker: a model of another language changes the caption language too, and is kept as the choice. */
export function chooseModel(modelId: string): void {
  const language = useModelStore.getState().catalog.find((entry) => entry.id === modelId)?.language;
  if (language) useLanguageSettingStore.setState({ chosen: language });
  useSettingsStore.getState().selectModel(modelId);
}
