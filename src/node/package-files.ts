import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PackageFiles } from '../captioner/model';
import { fileModelHandler } from './runtime';

/** A model package in a local folder (model.json, shards, card.json, word_counts.txt). */
export function folderPackageFiles(dir: string): PackageFiles {
  return {
    model: fileModelHandler(path.join(dir, 'model.json')),
    readText: (fileName) => readFile(path.join(dir, fileName), 'utf8'),
  };
}
