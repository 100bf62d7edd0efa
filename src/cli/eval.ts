/**
 * Evaluates a model on captioned photos: captions each photo exactly as `npm run caption` does and
 * prints BLEU-1..4 and CIDEr-D (COCO caption evaluation), object hallucination (CHAIRs, CHAIRi,
 * object recall) and caption diversity, optionally next to the nearest-neighbour baseline's captions
 * (training/baseline.ts writes them: it needs the training encoder, which stays in training/), and the
 * time per photo. Sweeps of the grounding settings reuse each photo's encoder run.
 * Usage: npm run eval -- <photos dir> <captions.jsonl> [--model <dir>] [--limit N] [--beam-size 3]
 *        [--max-length 20] [--grounding-sweep 0,1,2] [--baseline baseline.jsonl] [--json out.json]
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { liveFrameOptions, ObjectWords, type CaptionOptions, type DetectedObject, type GroundingSettings, type ImageSize, type ModelCard } from '../captioner';
import { DEFAULT_BEAM_SEARCH_OPTIONS } from '../captioner/beam-search';
import { readCaptionsFile, readReferencesFile } from '../eval/captions-file';
import { primaryLanguage } from '../captioner/language';
import { captionsNamingAGender, genderAccuracy, type Gender, type GenderOutcome } from '../eval/gender';
import { captionDiversity, mentionedClasses, objectHallucination, type Diversity, type HallucinationScores } from '../eval/hallucination';
import { scoreCaptions, type CaptionScores } from '../eval/metrics';
import { countSlips, slipRate } from '../eval/slips';
import { GERMAN_SLIP_KINDS, germanGrammarSlips } from '../eval/slips-de';
import { decodePhoto } from '../node/decode-photo';
import { captionerOptions, commandUsage, errorText, type CommandOptions, numberOption, parseCommandLine, REPO_ROOT, runCommand, startCaptioner, UsageError } from './shared';

const OPTIONS = {
  limit: { type: 'string', value: '<n>', help: 'evaluate only the first n photos of captions.jsonl' },
  'input-size': {
    type: 'string',
    value: '<n|live>',
    help: "encode at n×n pixels instead of the card's image size, or caption as the live camera does: at its liveImage size, with its liveSearch settings (beam, length, grounding) where no option sets them; graphs that take any size only",
  },
  'grounding-sweep': { type: 'string', value: '<λ,...>', help: 'also score these grounding weights (0 = off), each with every threshold and floor below' },
  'threshold-sweep': { type: 'string', value: '<t,...>', help: "evidence thresholds for the grounding sweep (default: the card's)" },
  'floor-sweep': { type: 'string', value: '<f,...>', help: "evidence floors for the grounding sweep (default: the card's)" },
  'boost-sweep': { type: 'string', value: '<b,...>', help: "gains for confidently detected classes in the grounding sweep (default: the card's)" },
  'repeat-sweep': { type: 'string', value: '<r,...>', help: "penalties for naming an object class again in the grounding sweep (default: the card's)" },
  'class-thresholds': {
    type: 'string',
    value: '<file|none>',
    help: 'per-class grounding thresholds for every setting scored (training/calibrate-grounding.ts output; none = the one threshold)',
  },
  'object-thresholds': { type: 'string', value: '<s,...>', help: 'score the listed objects against the references at these detector scores' },
  objects: { type: 'string', value: '<file>', help: "object-word table for CHAIR (default: the model's objects.json, else training/objects.json)" },
  baseline: {
    type: 'string',
    value: '<file>',
    help: "also score the nearest-neighbour baseline's caption of each photo (captions.jsonl from training/baseline.ts)",
  },
  'also-references': {
    type: 'string',
    value: '<file>',
    help: "also score BLEU and CIDEr-D against these references, a photo → captions JSON (e.g. training/prepare.py --neutral-people's captions.json)",
  },
  json: { type: 'string', value: '<file>', help: 'write the per-photo captions and the scores as JSON' },
} as const satisfies CommandOptions;

const USAGE = commandUsage('npm run eval -- [options] <photos dir> <captions.jsonl>', OPTIONS);

/** Progress goes to stderr this often, because a full validation run takes minutes. */
const PROGRESS_EVERY = 25;

const DEFAULT_OBJECT_WORDS = path.join(REPO_ROOT, 'training/objects.json');

interface PhotoResult {
  file: string;
  references: string[];
  model: string;
  /** The best caption of each sweep variant, by variant name. */
  variants?: Record<string, string>;
  objects?: DetectedObject[] | null;
  baseline?: string;
}

/** One setting of the captioner to score: "model" is the command line's own. */
interface Variant {
  name: string;
  options: CaptionOptions;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** The grammar-slip measure of the captions' language (card.json `language`): src/eval/slips-de.ts for German, else slips.ts. */
function slipMeasure(language: string): { file: string; rate: (captions: string[]) => { share: number; byKind: Record<string, number> } } {
  if (primaryLanguage(language) === 'de') return { file: 'src/eval/slips-de.ts', rate: (captions) => countSlips(captions, germanGrammarSlips, GERMAN_SLIP_KINDS) };
  return { file: 'src/eval/slips.ts', rate: slipRate };
}
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const timing = (ms: number[]) => `${mean(ms).toFixed(1)} ms/photo (median ${median(ms).toFixed(1)})`;

function table(columns: string[], rows: [string, number[]][], digits: number[]): string {
  const width = Math.max(20, ...rows.map(([name]) => name.length + 2));
  const header = `${''.padEnd(width)}${columns.map((name) => name.padStart(9)).join('')}`;
  const lines = rows.map(([name, values]) => name.padEnd(width) + values.map((v, i) => v.toFixed(digits[i]).padStart(9)).join(''));
  return [header, ...lines].join('\n');
}

function scoreTable(rows: [string, CaptionScores][]): string {
  return table(['BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'CIDEr-D'], rows.map(([name, { bleu, ciderD }]) => [name, [...bleu, ciderD]]), [4, 4, 4, 4, 4]);
}

/** "twice": how many captions name one object class twice or more. */
function objectTable(rows: [string, HallucinationScores, Diversity][]): string {
  return table(
    ['CHAIRs', 'CHAIRi', 'recall', 'twice', 'distinct', 'words'],
    rows.map(([name, h, d]) => [name, [h.chairS, h.chairI, h.objectRecall, h.captionsNamingAClassTwice, d.distinctCaptions, d.distinctWords]]),
    [4, 4, 4, 0, 4, 0],
  );
}

function genderTable(rows: [string, Record<Gender, GenderOutcome>][]): string {
  const [women, men] = [rows[0][1].female.photos, rows[0][1].male.photos];
  return table(
    [`women ${women}`.padStart(9), 'wrong', 'neutral', `men ${men}`.padStart(9), 'wrong', 'neutral'],
    rows.map(([name, { female, male }]) => [name, [female.right, female.wrong, female.neutral, male.right, male.wrong, male.neutral]]),
    [3, 3, 3, 3, 3, 3],
  );
}

const numberList = (name: string, text: string | undefined): number[] =>
  text === undefined ? [] : text.split(',').map((item) => numberOption(name, item, false) as number);

function chooseInputSize(option: string | undefined, card: ModelCard): ImageSize | undefined {
  if (option === undefined) return undefined;
  if (option !== 'live') {
    const side = numberOption('input-size', option, true) as number;
    return { height: side, width: side };
  }
  if (!card.liveImage) throw new UsageError('--input-size live: this model has no liveImage size in its card.json');
  return card.liveImage;
}

/** The grounding settings a sweep varies, with their command-line options. */
const SWEPT_SETTINGS = [
  ['threshold', 'threshold-sweep'],
  ['floor', 'floor-sweep'],
  ['boost', 'boost-sweep'],
  ['repeatPenalty', 'repeat-sweep'],
] as const;

type SweepValues = { 'grounding-sweep'?: string } & { [K in (typeof SWEPT_SETTINGS)[number][1]]?: string };

/** The command line's setting, then every combination of the sweeps' values (λ = 0: one un-grounded variant). */
function variants(base: CaptionOptions, values: SweepValues): Variant[] {
  const lambdas = numberList('grounding-sweep', values['grounding-sweep']);
  const others = SWEPT_SETTINGS.map(([key, option]) => [key, numberList(option, values[option])] as const).filter(([, list]) => list.length > 0);
  if (lambdas.length === 0 && others.length > 0) throw new UsageError('the other sweeps need --grounding-sweep');
  let combinations: Partial<GroundingSettings>[] = [{}];
  for (const [key, list] of others) combinations = combinations.flatMap((settings) => list.map((value) => ({ ...settings, [key]: value })));
  const swept = lambdas.flatMap((lambda): Variant[] =>
    lambda === 0
      ? [{ name: 'λ=0', options: { ...base, grounding: false } }]
      : combinations.map((settings) => ({
          name: [`λ=${lambda}`, ...Object.entries(settings).map(([key, value]) => `${key}=${value}`)].join(' '),
          options: { ...base, grounding: { lambda, ...settings } },
        })),
  );
  return [{ name: 'model', options: base }, ...swept];
}

/** Precision and recall of the listed objects' classes against the classes the references name. */
function detectionAgreement(objectWords: ObjectWords, results: PhotoResult[], minScore: number): { precision: number; recall: number } {
  let listed = 0;
  let correct = 0;
  let named = 0;
  for (const result of results) {
    const truth = new Set(result.references.flatMap((reference) => mentionedClasses(objectWords, reference)));
    const found = new Set((result.objects ?? []).filter((object) => object.score >= minScore).map((object) => object.label));
    listed += found.size;
    named += truth.size;
    correct += [...found].filter((label) => truth.has(label)).length;
  }
  return { precision: listed > 0 ? correct / listed : 0, recall: named > 0 ? correct / named : 0 };
}

async function readClassThresholds(file: string | undefined): Promise<Record<string, number> | undefined> {
  if (file === undefined) return undefined;
  if (file === 'none') return {};
  return (JSON.parse(await readFile(file, 'utf8')) as { classThresholds: Record<string, number> }).classThresholds;
}

/** Every grounded variant with these per-class thresholds instead of the card's. */
function withClassThresholds(variants: Variant[], classThresholds: Record<string, number> | undefined): Variant[] {
  if (!classThresholds) return variants;
  return variants.map(({ name, options }) => {
    const { grounding = true } = options;
    return grounding === false ? { name, options } : { name, options: { ...options, grounding: { ...(grounding === true ? {} : grounding), classThresholds } } };
  });
}

/** training/baseline.ts's caption of each photo, by file. */
async function readBaselineCaptions(file: string): Promise<Map<string, string>> {
  return new Map((await readCaptionsFile(file)).map((photo) => [photo.file, photo.captions[0]]));
}

async function readObjectWords(file: string): Promise<ObjectWords> {
  return ObjectWords.parse(JSON.parse(await readFile(file, 'utf8')));
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  const options = captionerOptions(values);
  if (positionals.length !== 2) throw new UsageError(`expected <photos dir> <captions.jsonl>, got ${positionals.length} arguments`);
  const [photosDir, captionsPath] = positionals;
  const limit = numberOption('limit', values.limit, true);
  if (limit !== undefined && limit < 1) throw new UsageError(`--limit must be at least 1, got ${limit}`);
  const objectThresholds = numberList('object-thresholds', values['object-thresholds']);
  const photos = await readCaptionsFile(captionsPath, limit);
  if (photos.length === 0) throw new Error(`${captionsPath} lists no photos`);
  const alsoReferences = values['also-references'] === undefined ? undefined : await readReferencesFile(values['also-references']);
  const unreferenced = alsoReferences && photos.find((photo) => !alsoReferences.has(photo.file));
  if (unreferenced) throw new Error(`${values['also-references']} has no references for ${unreferenced.file}`);

  const { captioner, modelDir, backend } = await startCaptioner(options);
  const { card } = captioner;
  const slips = slipMeasure(card.language);
  const objectWords = values.objects ? await readObjectWords(values.objects) : (captioner.objectWords ?? (await readObjectWords(DEFAULT_OBJECT_WORDS)));
  const baseline = values.baseline === undefined ? undefined : await readBaselineCaptions(values.baseline);
  const minObjectScore = objectThresholds.length > 0 ? Math.min(...objectThresholds) : undefined;
  const inputSize = chooseInputSize(values['input-size'], card);
  if (inputSize) console.error(`encoding at ${inputSize.width}×${inputSize.height} instead of ${card.image.width}×${card.image.height}`);
  // As the camera does: the card's live search, unless an option sets it.
  const { inputSize: _chosenAbove, grounding: liveGrounding, ...liveSearch } = values['input-size'] === 'live' ? liveFrameOptions(card) : {};
  const groundingByOption = values.grounding !== undefined || values['no-grounding'] === true;
  const baseSearch = { ...liveSearch, ...options.search, ...(liveGrounding && !groundingByOption && { grounding: liveGrounding }) };
  const toScore = withClassThresholds(variants(baseSearch, values), await readClassThresholds(values['class-thresholds']));

  const results: PhotoResult[] = [];
  const modelMs: number[] = [];
  let failures = 0;
  for (const [i, photo] of photos.entries()) {
    try {
      const bytes = await readFile(path.join(photosDir, photo.file));
      // Both systems are scored on the same photos: one the baseline has no caption for fails here.
      const baselineCaption = baseline?.get(photo.file);
      if (baseline && baselineCaption === undefined) throw new Error(`${values.baseline} has no baseline caption for it`);
      const started = performance.now();
      const image = await decodePhoto(bytes);
      const encoded = await captioner.encode(image, { minObjectScore, inputSize });
      const best: string[] = [];
      try {
        for (const variant of toScore) {
          const { captions } = await captioner.describe(encoded, variant.options);
          best.push(captions[0]?.text ?? '');
          // The time per photo is the command line's own setting: decode, encoder and one search.
          if (best.length === 1) modelMs.push(performance.now() - started);
        }
      } finally {
        encoded.dispose();
      }
      const result: PhotoResult = { file: photo.file, references: photo.captions, model: best[0], objects: encoded.objects };
      if (toScore.length > 1) result.variants = Object.fromEntries(toScore.map((variant, v) => [variant.name, best[v]]));
      if (baselineCaption !== undefined) result.baseline = baselineCaption;
      results.push(result);
    } catch (error) {
      failures++;
      console.error(`${photo.file}: ${errorText(error)}`);
    }
    if ((i + 1) % PROGRESS_EVERY === 0) console.error(`${i + 1}/${photos.length} photos, model ${timing(modelMs)}`);
  }
  captioner.dispose();
  if (results.length === 0) throw new Error('no photo could be captioned');

  const references = results.map((result) => result.references);
  const systems: [string, string[]][] = toScore.map((variant) => [
    variant.name,
    results.map((result) => (variant.name === 'model' ? result.model : (result.variants?.[variant.name] ?? ''))),
  ]);
  if (baseline) systems.push(['nearest neighbour', results.map((result) => result.baseline ?? '')]);
  const scored = systems.map(([name, captions]) => ({
    name,
    scores: scoreCaptions(captions, references),
    hallucination: objectHallucination(objectWords, captions, references),
    diversity: captionDiversity(captions),
    gender: genderAccuracy(captions, references, card.language),
    namingAGender: captionsNamingAGender(captions, card.language),
    slips: slips.rate(captions),
  }));
  const humans = humanAgreement(objectWords, references);
  const alsoScored =
    alsoReferences &&
    systems.map(([name, captions]): [string, CaptionScores] => [name, scoreCaptions(captions, results.map((result) => alsoReferences.get(result.file) ?? []))]);

  const search = { ...DEFAULT_BEAM_SEARCH_OPTIONS, ...baseSearch };
  const report = [
    `${results.length} photos from ${captionsPath}${failures > 0 ? ` (${failures} failed)` : ''}; model ${card.name}, beam size ${search.beamSize}, max length ${search.maxLength}, grounding ${describeGrounding(baseSearch, captioner.canGround)}`,
    scoreTable(scored.map(({ name, scores }) => [name, scores])),
    ...(alsoScored ? ['', `against the references of ${values['also-references']}`, scoreTable(alsoScored)] : []),
    '',
    objectTable([...scored.map(({ name, hallucination, diversity }): [string, HallucinationScores, Diversity] => [name, hallucination, diversity]), ['one human vs the others', humans.hallucination, humans.diversity]]),
    '',
    'people, by the gender at least three references agree on (share of photos: right, wrong, neutral)',
    genderTable(scored.map(({ name, gender }) => [name, gender])),
    `captions naming a gender at all: ${scored.map(({ name, namingAGender }) => `${name} ${namingAGender}`).join(', ')}`,
    '',
    `captions with a grammar slip (${slips.file}), and how many of each kind`,
    ...scored.map(({ name, slips }) => `${name.padEnd(20)} ${(100 * slips.share).toFixed(1)}%  ${Object.entries(slips.byKind).map(([kind, n]) => `${kind} ${n}`).join(', ')}`),
    `most invented by the model: ${scored[0].hallucination.inventedClasses.slice(0, 8).map(([label, count]) => `${label} (${count})`).join(', ') || 'none'}`,
  ];
  for (const threshold of objectThresholds) {
    const { precision, recall } = detectionAgreement(objectWords, results, threshold);
    report.push(`detected objects at score ≥ ${threshold}: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} against the classes the references name`);
  }
  report.push(`model: ${timing(modelMs)}: decode, preprocess, graph and beam search on ${backend}`);
  process.stdout.write(report.join('\n') + '\n');

  if (values.json) {
    const summary = (entry: (typeof scored)[number], ms?: number[]) => ({
      bleu: entry.scores.bleu,
      ciderD: entry.scores.ciderD,
      ...entry.hallucination,
      ...entry.diversity,
      gender: entry.gender,
      captionsNamingAGender: entry.namingAGender,
      slips: entry.slips,
      msPerPhoto: ms && mean(ms),
    });
    const json = {
      captionsFile: captionsPath,
      photos: results.length,
      failures,
      model: { id: card.id, name: card.name, language: card.language, dir: modelDir },
      backend,
      search,
      scores: {
        model: summary(scored[0], modelMs),
        baseline: baseline && summary(scored[scored.length - 1]),
        variants: Object.fromEntries(scored.slice(1, toScore.length).map((entry) => [entry.name, summary(entry)])),
        humans: { ...humans.hallucination, ...humans.diversity },
      },
      alsoReferences: alsoScored && {
        file: values['also-references'],
        scores: Object.fromEntries(alsoScored.map(([name, { bleu, ciderD }]) => [name, { bleu, ciderD }])),
      },
      results: results.map((result, i) => ({
        ...result,
        modelCiderD: scored[0].scores.perImageCiderD[i],
        baselineCiderD: baseline && scored[scored.length - 1].scores.perImageCiderD[i],
      })),
    };
    await writeFile(values.json, JSON.stringify(json, null, 2) + '\n');
  }
  return failures > 0 ? 1 : 0;
}

function describeGrounding(search: CaptionOptions, canGround: boolean): string {
  if (!canGround || search.grounding === false) return 'off';
  return search.grounding === true || search.grounding === undefined ? "the model's" : JSON.stringify(search.grounding);
}

/**
 * The same measures for people: each photo's first reference caption scored against the other ones,
 * the yardstick for what a caption can reach.
 */
function humanAgreement(objectWords: ObjectWords, references: string[][]): { hallucination: HallucinationScores; diversity: Diversity } {
  const scorable = references.filter((refs) => refs.length > 1);
  const firsts = scorable.map((refs) => refs[0]);
  return { hallucination: objectHallucination(objectWords, firsts, scorable.map((refs) => refs.slice(1))), diversity: captionDiversity(firsts) };
}

runCommand(main, USAGE);
