import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { languageDefaultModel, languageList, modelLanguages } from '../captioner/language';
import { parseModelList, type ModelList } from '../captioner/model-list';
import { isTypeScriptSource } from './module-thread';

/**
 * The model packages that come with the code: public/models in the repository, lib/models in the
 * npm package (the build copies the default model there). Both sit two folders above the code that
 * reads them (src/node/*.ts, lib/node/*.js), so only the folder's name differs.
 */
export const BUNDLED_MODELS_DIR = fileURLToPath(new URL(isTypeScriptSource(import.meta.url) ? '../../public/models/' : '../models/', import.meta.url));

/** The bundled models' list (models.json), or an error that names the file. */
export async function bundledModelList(modelsDir = BUNDLED_MODELS_DIR): Promise<ModelList> {
  const listPath = path.join(modelsDir, 'models.json');
  try {
    return parseModelList(JSON.parse(await readFile(listPath, 'utf8')));
  } catch (error) {
    throw new Error(`${listPath} cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** A language no bundled model captions in: the message lists the ones there are. */
export class UnknownLanguageError extends RangeError {}

/**
 * The folder of the default model (models.json's "default") among the bundled ones, or with
 * `language` that language's default model (src/captioner/language.ts: languageDefaultModel).
 */
export async function defaultModelDir(modelsDir = BUNDLED_MODELS_DIR, language?: string): Promise<string> {
  const list = await bundledModelList(modelsDir).catch((error: Error) => {
    throw new Error(`no model given and ${error.message}`);
  });
  if (language !== undefined) {
    const model = languageDefaultModel(list, language);
    if (!model) throw new UnknownLanguageError(`no model captions in "${language}"; the languages there are: ${languageList(modelLanguages(list))}`);
    return path.join(modelsDir, model.id);
  }
  if (list.default === undefined) throw new Error(`${path.join(modelsDir, 'models.json')} has no "default" model id`);
  return path.join(modelsDir, list.default);
}
