/**
 * What the command-line tools that caption photos (caption, eval) have in common: the model and
 * beam-search options, resolving and loading the model, and exit codes.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BeamSearchOptions, CaptionOptions, Captioner, GroundingChoice } from '../captioner';
import { isLanguageTag } from '../captioner/language';
import { loadThreadCaptioner } from '../lib/thread-captioner';
import type { NodeBackend } from '../node/runtime';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A bad command line: reported in one line and exit code 2. */
export class UsageError extends Error {}

/** --help: the usage text goes to stdout and the command exits 0. */
class HelpRequested extends Error {}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One command-line option: node:util parseArgs' settings plus its line in the usage text. */
export interface CommandOption {
  type: 'string' | 'boolean';
  multiple?: boolean;
  default?: string | boolean;
  /** How the value is written in the usage text, e.g. "<dir>"; none for a boolean. */
  value?: string;
  help: string;
}

export type CommandOptions = Record<string, CommandOption>;

const CAPTIONER_OPTIONS = {
  model: { type: 'string', value: '<dir>', help: 'model package folder (default: the model that comes with it, "default" in its models.json)' },
  language: { type: 'string', value: '<tag>', help: "caption language, e.g. de: that language's default model (--list-models shows each model's)" },
  'beam-size': { type: 'string', value: '<n>', help: 'default 3' },
  'max-length': { type: 'string', value: '<n>', help: 'longest caption in words, counting <S> and </S> (default 20)' },
  'length-normalization': { type: 'string', value: '<x>', help: 'complete captions score logprob / length^x (default 0)' },
  'no-repeat-ngram': { type: 'string', value: '<n>', help: "never repeat a sequence of n words within a caption (default: the model's; 0 = off)" },
  backend: { type: 'string', default: 'wasm', value: 'wasm|cpu', help: 'default wasm (cpu if wasm cannot start)' },
  grounding: { type: 'string', value: '<λ>', help: "weight of the detector's evidence against naming unseen objects (default: the model's; 0 = off)" },
  'no-grounding': { type: 'boolean', help: 'captions not grounded in the detected objects' },
} as const satisfies CommandOptions;

const HELP_OPTION = { help: { type: 'boolean', help: 'print this help and exit' } } as const satisfies CommandOptions;

/** The usage text: the synopsis, then one line per option (the command's own, then the captioner's). */
export function commandUsage(synopsis: string, options: CommandOptions): string {
  const all: CommandOptions = { ...options, ...CAPTIONER_OPTIONS, ...HELP_OPTION };
  const lines = Object.entries(all).map(([name, { value, help }]) => `  ${`--${name}${value ? ` ${value}` : ''}`.padEnd(31)}${help}`);
  return `usage: ${synopsis}\n${lines.join('\n')}`;
}

export interface CaptionerOptions {
  modelDir: string | undefined;
  /** --language: the language's default model, or (with --model) the language that model must caption in. */
  language: string | undefined;
  /** Beam search and grounding options. */
  search: CaptionOptions;
  backend: NodeBackend;
}

/** Parses the captioner options, --help and the command's own `options`; positionals are allowed. */
export function parseCommandLine<T extends CommandOptions>(args: string[], options: T) {
  const all = { ...CAPTIONER_OPTIONS, ...options, ...HELP_OPTION };
  // parseArgs needs only the settings; the usage text stays behind.
  const config = Object.fromEntries(Object.entries<CommandOption>(all).map(([name, { value: _value, help: _help, ...settings }]) => [name, settings])) as typeof all;
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: config });
  } catch (error) {
    throw new UsageError(errorText(error));
  }
  if ((parsed.values as { help?: boolean }).help) throw new HelpRequested();
  return parsed;
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
    noRepeatNgram: numberOption('no-repeat-ngram', values['no-repeat-ngram'], true),
  };
  // Unset options must stay absent so the search's defaults apply.
  for (const key of Object.keys(search) as (keyof BeamSearchOptions)[]) if (search[key] === undefined) delete search[key];
  if (values.language !== undefined && !isLanguageTag(values.language)) throw new UsageError(`--language must be a language tag such as de or en, got "${values.language}"`);
  return { modelDir: values.model, language: values.language, search: { ...search, grounding: groundingChoice(values) }, backend: values.backend };
}

export interface LoadedCaptioner {
  captioner: Captioner;
  modelDir: string;
  backend: NodeBackend;
}

/** Starts the tfjs backend and loads the chosen (or default) model, as the package's API does (src/lib). */
export async function loadCaptionerModel(options: CaptionerOptions): Promise<LoadedCaptioner> {
  const { core, model } = await loadThreadCaptioner({ model: options.modelDir, language: options.language, backend: options.backend });
  return { captioner: core, modelDir: model.dir, backend: model.backend };
}

export const modelLine = (name: string, language: string, modelDir: string, backend: NodeBackend) => `model: ${name} (${modelDir}), language: ${language}, backend: ${backend}`;

/** loadCaptionerModel, naming the model and the backend on stderr. */
export async function startCaptioner(options: CaptionerOptions): Promise<LoadedCaptioner> {
  const loaded = await loadCaptionerModel(options);
  console.error(modelLine(loaded.captioner.card.name, loaded.captioner.card.language, loaded.modelDir, loaded.backend));
  const { groundingProblem } = loaded.captioner;
  if (groundingProblem) console.error(`note: captions are not grounded in the detected objects: ${groundingProblem}`);
  return loaded;
}

/** Runs a command's main: its result is the exit code; --help prints the usage and exits 0; errors exit 2, in one line. */
export function runCommand(main: (args: string[]) => Promise<number>, usage: string): void {
  // stdout carries only results: anything tfjs or wasm logs goes to stderr.
  console.log = console.info = console.debug = console.error;
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof HelpRequested) {
        process.stdout.write(usage + '\n');
        process.exitCode = 0;
        return;
      }
      console.error(`error: ${errorText(error)}${error instanceof UsageError ? ' (--help for usage)' : ''}`);
      process.exitCode = 2;
    },
  );
}
