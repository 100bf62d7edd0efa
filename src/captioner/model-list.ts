import { canonicalLanguage, DEFAULT_CAPTION_LANGUAGE, isLanguageTag } from './language';

/** One package listed in public/models/models.json. */
export interface ModelListEntry {
  id: string;
  name: string;
  /** The language it captions in (BCP 47, its card.json's); "en" when the entry names none. */
  language: string;
  /** A generated test fixture: never presented as a real captioning model. */
  fixture: boolean;
  /** Content hash set by the production build: the package's files live under <id>/<version>/. */
  version?: string;
  /** The package's size, set by the production build: the page says it before downloading on a metered connection. */
  bytes?: number;
}

/** public/models/models.json: the packages the app, the CLI and the tools know about. */
export interface ModelList {
  default?: string;
  models: ModelListEntry[];
}

/**
 * Checks a parsed models.json; an entry without a name shows its id, one without a language is
 * English, and only `true` marks a fixture.
 */
export function parseModelList(json: unknown): ModelList {
  const list = json as { default?: unknown; models?: unknown } | null;
  if (!list || !Array.isArray(list.models)) throw new Error('models.json has no "models" list');
  const models = list.models.map((entry: { id?: unknown; name?: unknown; language?: unknown; fixture?: unknown; version?: unknown; bytes?: unknown } | null) => {
    if (typeof entry?.id !== 'string') throw new Error('a models.json entry has no "id"');
    if (entry.language !== undefined && !isLanguageTag(entry.language)) throw new Error(`models.json entry "${entry.id}": "language" must be a BCP 47 tag such as "de"`);
    const parsed: ModelListEntry = {
      id: entry.id,
      name: typeof entry.name === 'string' ? entry.name : entry.id,
      language: entry.language === undefined ? DEFAULT_CAPTION_LANGUAGE : canonicalLanguage(entry.language),
      fixture: entry.fixture === true,
    };
    if (typeof entry.version === 'string') parsed.version = entry.version;
    if (typeof entry.bytes === 'number' && entry.bytes > 0) parsed.bytes = entry.bytes;
    return parsed;
  });
  return typeof list.default === 'string' ? { default: list.default, models } : { models };
}
