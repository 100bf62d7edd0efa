/**
 * What the command-line tools that caption photos (caption, eval) have in common: the model and
 * beam-search options, resolving and loading the model, and exit codes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { loadCaptioner, type BeamSearchOptions, type CaptionOptions, type Captioner, type GroundingChoice } from '../captioner';
import { folderPackageFiles } from '../node/package-files';
import { initNodeBackend, type NodeBackend } from '../node/runtime';
import { parseModelList, type ModelList } from '../captioner/model-list';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS_DIR = path.join(REPO_ROOT, 'public/models');

/** A bad command line: reported with the usage text and exit code 2. */
export class UsageError extends Error {}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

const CAPTIONER_OPTIONS = {
  model: { type: 'string' },
  'beam-size': { type: 'string' },
  'max-length': { type: 'string' },
  'length-normalization': { type: 'string' },
  backend: { type: 'string', default: 'wasm' },
  grounding: { type: 'string' },
  'no-grounding': { type: 'boolean' },
} as const satisfies ParseArgsOptionsConfig;

export const CAPTIONER_USAGE = `  --model <dir>                  model package folder (default: the default model in public/models/models.json)
  --beam-size <n>                default 3
  --max-length <n>               longest caption in words, counting <S> and </S> (default 20)
  --length-normalization <x>     complete captions score logprob / length^x (default 0)
  --backend wasm|cpu             default wasm (cpu if wasm cannot start)
  --grounding <λ>                weight of the detector's evidence against naming objects it did not see
                                 (default: the model's own, from its card.json; 0 = off)
  --no-grounding                 captions not grounded in the detected objects`;

export interface CaptionerOptions {
  modelDir: string | undefined;
  /** Beam search and grounding options. */
  search: CaptionOptions;
  backend: NodeBackend;
}

/** Parses the captioner options plus the command's own `options`; positionals are allowed. */
export function parseCommandLine<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, allowPositionals: true, options: { ...CAPTIONER_OPTIONS, ...options } });
  } catch (error) {
    throw new UsageError(errorText(error));
  }
}

export function numberOption(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got "${text}"`);
  }
  return value;
}

type CaptionerValues = { [K in Exclude<keyof typeof CAPTIONER_OPTIONS, 'no-grounding'>]?: string } & { 'no-grounding'?: boolean };

function groundingChoice(values: CaptionerValues): GroundingChoice {
  if (values['no-grounding'] && values.grounding !== undefined) throw new UsageError('--grounding and --no-grounding contradict each other');
  if (values['no-grounding']) return false;
  const lambda = numberOption('grounding', values.grounding, false);
  if (lambda === undefined) return true;
  if (lambda < 0) throw new UsageError(`--grounding must be 0 or more, got ${lambda}`);
  return { lambda };
}

export function captionerOptions(values: CaptionerValues): CaptionerOptions {
  if (values.backend !== 'wasm' && values.backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, got "${values.backend}"`);
  const search: Partial<BeamSearchOptions> = {
    beamSize: numberOption('beam-size', values['beam-size'], true),
    maxLength: numberOption('max-length', values['max-length'], true),
    lengthNormalizationFactor: numberOption('length-normalization', values['length-normalization'], false),
  };
  // Unset options must stay absent so the search's defaults apply.
  for (const key of Object.keys(search) as (keyof BeamSearchOptions)[]) if (search[key] === undefined) delete search[key];
  return { modelDir: values.model, search: { ...search, grounding: groundingChoice(values) }, backend: values.backend };
}

async function defaultModelDir(): Promise<string> {
  const listPath = path.join(MODELS_DIR, 'models.json');
  let list: ModelList;
  try {
    list = parseModelList(JSON.parse(await readFile(listPath, 'utf8')));
  } catch (error) {
    throw new Error(`no --model given and ${listPath} cannot be read (${errorText(error)})`);
  }
  if (list.default === undefined) throw new Error(`${listPath} has no "default" model id`);
  return path.join(MODELS_DIR, list.default);
}

/** Starts the tfjs backend and loads the chosen (or default) model, naming both on stderr. */
export async function startCaptioner(options: CaptionerOptions): Promise<{ captioner: Captioner; modelDir: string; backend: NodeBackend }> {
  const modelDir = options.modelDir ?? (await defaultModelDir());
  const backend = await initNodeBackend(options.backend);
  const captioner = await loadCaptioner(folderPackageFiles(modelDir));
  console.error(`model: ${captioner.card.name} (${modelDir}), backend: ${backend}`);
  if (captioner.groundingProblem) console.error(`note: captions are not grounded in the detected objects: ${captioner.groundingProblem}`);
  return { captioner, modelDir, backend };
}

/** Runs a command's main: its result is the exit code; errors exit 2, with the usage text for usage errors. */
export function runCommand(main: (args: string[]) => Promise<number>, usage: string): void {
  // stdout carries only results: anything tfjs or wasm logs goes to stderr.
  console.log = console.info = console.debug = console.error;
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`error: ${errorText(error)}`);
      if (error instanceof UsageError) console.error(usage);
      process.exitCode = 2;
    },
  );
}
