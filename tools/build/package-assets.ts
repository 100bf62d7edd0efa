/**
 * `npm run build:lib`, after the bundles: copies what the npm package's code loads at run time
 *  - the default model package (public/models/models.json's "default") and each other language's
 *    default model (German: show-and-tell-attend-de) to lib/models/, with a models.json that lists
 *    only them, and the shared files they name (the encoder's weights, once, in lib/models/encoders/):
 *    the Node API, the CLI and the browser module load them from there (src/node/default-model.ts,
 *    src/lib/browser.ts), so `--language de` and `{ language: 'de' }` work from the package too;
 *  - tfjs's WebAssembly files to lib/node/wasm/, for the tfjs bundled into lib/node (src/node/runtime.ts);
 * and gives the relative imports of tsc's declarations (lib/types) their file extensions, which
 * TypeScript projects on Node's own resolution ("moduleResolution": "node16") need.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { languageDefaultModel, languageName, modelLanguages, servesLanguage } from '../../src/captioner/language.ts';
import { parseModelList } from '../../src/captioner/model-list.ts';
import { writeModelList } from '../graph/model-list.ts';
import { sharedFilesOf } from '../graph/package-files.ts';

const SOURCE = 'public/models';
const TARGET = 'lib/models';

const list = parseModelList(JSON.parse(await readFile(path.join(SOURCE, 'models.json'), 'utf8')));
const defaultEntry = list.models.find((model) => model.id === list.default);
if (!defaultEntry) throw new Error(`${SOURCE}/models.json: its default model "${list.default}" is not listed`);
// Real models only: a language whose only model is a test fixture is not offered.
const real = { ...list, models: list.models.filter((model) => !model.fixture) };
const otherLanguages = modelLanguages(real).filter((language) => !servesLanguage(defaultEntry.language, language));
const shipped = [defaultEntry, ...otherLanguages.map((language) => languageDefaultModel(real, language)!)];
await rm(TARGET, { recursive: true, force: true });
for (const entry of shipped) {
  await cp(path.join(SOURCE, entry.id), path.join(TARGET, entry.id), { recursive: true });
  for (const file of await sharedFilesOf(path.join(SOURCE, entry.id))) {
    await mkdir(path.dirname(path.join(TARGET, entry.id, file)), { recursive: true });
    await cp(path.join(SOURCE, entry.id, file), path.join(TARGET, entry.id, file));
  }
  console.log(`${TARGET}/${entry.id}: the package's ${entry === defaultEntry ? 'default model' : `model for ${entry.language} (${languageName(entry.language)})`}`);
}
await writeModelList(path.join(TARGET, 'models.json'), { default: defaultEntry.id, models: shipped });

const wasmDir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
await mkdir('lib/node/wasm', { recursive: true });
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  await cp(path.join(wasmDir, file), path.join('lib/node/wasm', file));
}

const TYPES = 'lib/types';
const RELATIVE_SPECIFIER = /(from\s+|import\()(['"])(\.{1,2}\/[^'"]*?)\2/g;
for (const entry of await readdir(TYPES, { recursive: true })) {
  if (!entry.endsWith('.d.ts')) continue;
  const file = path.join(TYPES, entry);
  const text = await readFile(file, 'utf8');
  const withExtensions = text.replace(RELATIVE_SPECIFIER, (_match, before: string, quote: string, specifier: string) => {
    if (/\.js$/.test(specifier)) return `${before}${quote}${specifier}${quote}`;
    const folder = existsSync(path.join(path.dirname(file), specifier, 'index.d.ts'));
    return `${before}${quote}${specifier}${folder ? '/index.js' : '.js'}${quote}`;
  });
  if (withExtensions !== text) await writeFile(file, withExtensions);
}
