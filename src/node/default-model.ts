import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModelList, type ModelList } from '../captioner/model-list';
import { isTypeScriptSource } from './module-thread';

/**
 * The model packages that come with the code: public/models in the repository, lib/models in the
 * npm package (the build copies the default model there). Both sit two folders above the code that
 * reads them (src/node/*.ts, lib/node/*.js), so only the folder's name differs.
 */
export const BUNDLED_MODELS_DIR = fileURLToPath(new URL(isTypeScriptSource(import.meta.url) ? '../../public/models/' : '../models/', import.meta.url));

/** The folder of the default model (models.json's "default") among the bundled ones. */
export async function defaultModelDir(modelsDir = BUNDLED_MODELS_DIR): Promise<string> {
  const listPath = path.join(modelsDir, 'models.json');
  let list: ModelList;
  try {
    list = parseModelList(JSON.parse(await readFile(listPath, 'utf8')));
  } catch (error) {
    throw new Error(`no model given and ${listPath} cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  if (list.default === undefined) throw new Error(`${listPath} has no "default" model id`);
  return path.join(modelsDir, list.default);
}
