/**
 * The language a model captions in (card.json and models.json `language`, a BCP 47 tag), and the
 * rules the page, the CLI and the package's API share for choosing a model by language.
 */
import type { ModelList, ModelListEntry } from './model-list';

/** What a package without a `language` captions in: every model before German was English. */
export const DEFAULT_CAPTION_LANGUAGE = 'en';

/** The tag in its canonical form ("DE-at" → "de-AT"); throws a RangeError for text that is no BCP 47 tag. */
export function canonicalLanguage(tag: string): string {
  const [canonical] = Intl.getCanonicalLocales(tag);
  if (!canonical) throw new RangeError(`"${tag}" is not a language tag`);
  return canonical;
}

/** Whether `tag` is a BCP 47 language tag. */
export function isLanguageTag(tag: unknown): tag is string {
  if (typeof tag !== 'string' || tag === '') return false;
  try {
    canonicalLanguage(tag);
    return true;
  } catch {
    return false;
  }
}

/** The language without its region or script: "de-AT" → "de". */
export const primaryLanguage = (tag: string) => tag.split('-')[0].toLowerCase();

/** Whether a caption in `language` serves someone asking for `wanted` ("de" serves "de-AT", and the other way round). */
export const servesLanguage = (language: string, wanted: string) => primaryLanguage(language) === primaryLanguage(wanted);

/** The language's own name for itself ("Deutsch", "English"), as a language menu lists it. */
export function languageName(tag: string): string {
  const name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag;
  return name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
}

/** The languages the listed models caption in, each once, in the list's order. */
export function modelLanguages(list: Pick<ModelList, 'models'>): string[] {
  return [...new Set(list.models.map((entry) => entry.language))];
}

/**
 * The model a language picks: the list's default when it captions in that language, else the first
 * real model of the language, else its first model (a test fixture); undefined when none captions in it.
 */
export function languageDefaultModel(list: ModelList, language: string): ModelListEntry | undefined {
  const models = list.models.filter((entry) => servesLanguage(entry.language, language));
  return models.find((entry) => entry.id === list.default) ?? models.find((entry) => !entry.fixture) ?? models[0];
}

/**
 * The caption language to start with: the first of the browser's languages (navigator.languages,
 * most wanted first) that a model captions in, else English where a model has it, else the default
 * model's language. Null when the list is empty.
 */
export function preferredLanguage(list: ModelList, browserLanguages: readonly string[]): string | null {
  const available = modelLanguages(list);
  const wanted = [...browserLanguages, DEFAULT_CAPTION_LANGUAGE];
  for (const tag of wanted) {
    const match = available.find((language) => servesLanguage(language, tag));
    if (match) return match;
  }
  return list.models.find((entry) => entry.id === list.default)?.language ?? available[0] ?? null;
}

/** "de (Deutsch), en (English)": for messages that say which languages there are. */
export const languageList = (languages: readonly string[]) => languages.map((tag) => `${tag} (${languageName(tag)})`).join(', ');
