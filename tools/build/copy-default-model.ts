/**
 * `npm run build:lib`: copies the default model package (public/models/models.json's "default") to
 * dist/models/, with a models.json that lists only it, for the npm package: its Node API, CLI and
 * browser module load it from there (src/node/default-model.ts, src/lib/browser.ts).
 */
import { cp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseModelList } from '../../src/captioner/model-list.ts';
import { writeModelList } from '../graph/model-list.ts';

const SOURCE = 'public/models';
const TARGET = 'dist/models';

const list = parseModelList(JSON.parse(await readFile(path.join(SOURCE, 'models.json'), 'utf8')));
const entry = list.models.find((model) => model.id === list.default);
if (!entry) throw new Error(`${SOURCE}/models.json: its default model "${list.default}" is not listed`);
await rm(TARGET, { recursive: true, force: true });
await cp(path.join(SOURCE, entry.id), path.join(TARGET, entry.id), { recursive: true });
await writeModelList(path.join(TARGET, 'models.json'), { default: entry.id, models: [entry] });
console.log(`${TARGET}/${entry.id}: the package's default model`);
