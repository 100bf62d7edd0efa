import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelCard } from '../../src/captioner/card';
import { parseModelList, type ModelList } from '../../src/captioner/model-list.ts';

export type { ModelList };

/** Reads a model list; a missing file is an empty list, a broken one an error that says how to fix it. */
export async function readModelList(file: string): Promise<ModelList> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { models: [] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}); fix or delete it`);
  }
  try {
    return parseModelList(json);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}; fix or delete it`);
  }
}

/** Adds or replaces this model's entry; the default changes only when there is none or when asked. */
export function registerModel(list: ModelList, card: ModelCard, options: { makeDefault?: boolean } = {}): ModelList {
  const entry = { id: card.id, name: card.name, language: card.language, fixture: card.fixture };
  const known = list.models.some((model) => model.id === card.id);
  const models = known ? list.models.map((model) => (model.id === card.id ? entry : model)) : [...list.models, entry];
  return { ...list, default: options.makeDefault ? card.id : (list.default ?? card.id), models };
}

/** Replaces the file atomically, so the app never reads half a list. */
export async function writeModelList(file: string, list: ModelList): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const scratch = `${file}.${process.pid}`;
  await writeFile(scratch, `${JSON.stringify(list, null, 2)}\n`);
  await rename(scratch, file);
}
