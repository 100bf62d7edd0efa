/**
 * Captions photos from the command line, printing like the im2txt tutorial (or JSON with --json).
 * Usage: npm run caption -- [--model <dir>] [--beam-size 3] [--max-length 20]
 *        [--length-normalization 0] [--backend wasm|cpu] [--json] photo.jpg [photo.png ...]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCaptioner, type BeamSearchOptions, type Caption } from '../captioner';
import { folderPackageFiles } from '../node/package-files';
import { decodeImage, initNodeBackend, type NodeBackend } from '../node/runtime';

const MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/models');

const USAGE = `usage: npm run caption -- [options] image...
  --model <dir>                  model package folder (default: the default model in public/models/models.json)
  --beam-size <n>                default 3
  --max-length <n>               longest caption in words, counting <S> and </S> (default 20)
  --length-normalization <x>     complete captions score logprob / length^x (default 0)
  --backend wasm|cpu             default wasm (cpu if wasm cannot start)
  --json                         print only a JSON array of results on stdout`;

class UsageError extends Error {}

interface CliOptions {
  modelDir: string | undefined;
  search: Partial<BeamSearchOptions>;
  backend: NodeBackend;
  json: boolean;
  images: string[];
}

function numberOption(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got "${text}"`);
  }
  return value;
}

function parseCommandLine(args: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        'beam-size': { type: 'string' },
        'max-length': { type: 'string' },
        'length-normalization': { type: 'string' },
        backend: { type: 'string', default: 'wasm' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.backend !== 'wasm' && values.backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, got "${values.backend}"`);
  if (positionals.length === 0) throw new UsageError('no image files given');
  const search: Partial<BeamSearchOptions> = {
    beamSize: numberOption('beam-size', values['beam-size'], true),
    maxLength: numberOption('max-length', values['max-length'], true),
    lengthNormalizationFactor: numberOption('length-normalization', values['length-normalization'], false),
  };
  // Unset options must stay absent so the search's defaults apply.
  for (const key of Object.keys(search) as (keyof BeamSearchOptions)[]) if (search[key] === undefined) delete search[key];
  return { modelDir: values.model, search, backend: values.backend, json: values.json, images: positionals };
}

async function defaultModelDir(): Promise<string> {
  const listPath = path.join(MODELS_DIR, 'models.json');
  let list: { default?: unknown };
  try {
    list = JSON.parse(await readFile(listPath, 'utf8')) as { default?: unknown };
  } catch (error) {
    throw new Error(`no --model given and ${listPath} cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof list.default !== 'string') throw new Error(`${listPath} has no "default" model id`);
  return path.join(MODELS_DIR, list.default);
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function printCaptions(file: string, captions: Caption[]): void {
  const lines = captions.map((caption, rank) => `  ${rank}) ${caption.text} (p=${caption.p.toFixed(6)})`);
  process.stdout.write(`Captions for image ${path.basename(file)}:\n${lines.join('\n')}\n`);
}

async function main(args: string[]): Promise<number> {
  // stdout carries only results: anything tfjs or wasm logs goes to stderr.
  console.log = console.info = console.debug = console.error;
  const options = parseCommandLine(args);
  const modelDir = options.modelDir ?? (await defaultModelDir());
  const backend = await initNodeBackend(options.backend);
  const captioner = await loadCaptioner(folderPackageFiles(modelDir));
  console.error(`model: ${captioner.card.name} (${modelDir}), backend: ${backend}`);

  const results: { file: string; captions: { text: string; logprob: number; p: number }[] }[] = [];
  let failures = 0;
  for (const file of options.images) {
    let captions: Caption[];
    try {
      captions = await captioner.caption(decodeImage(await readFile(file)), options.search);
    } catch (error) {
      failures++;
      console.error(`${file}: ${errorText(error)}`);
      continue;
    }
    if (options.json) results.push({ file, captions: captions.map(({ text, logProb, p }) => ({ text, logprob: logProb, p })) });
    else printCaptions(file, captions);
  }
  if (options.json) process.stdout.write(JSON.stringify(results) + '\n');
  captioner.dispose();
  return failures > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`error: ${errorText(error)}`);
    if (error instanceof UsageError) console.error(USAGE);
    process.exitCode = 2;
  },
);
