/**
 * Evaluates a model on captioned photos: captions each photo exactly as `npm run caption` does and
 * prints BLEU-1..4 and CIDEr-D (COCO caption evaluation), optionally next to the nearest-neighbour
 * baseline, and the time per photo.
 * Usage: npm run eval -- <photos dir> <captions.jsonl> [--model <dir>] [--limit N] [--beam-size 3]
 *        [--max-length 20] [--baseline-features PREFIX ...] [--json out.json]
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_BEAM_SEARCH_OPTIONS } from '../captioner/beam-search';
import { NearestNeighbourBaseline, NEIGHBOURS } from '../eval/baseline';
import { readCaptionsFile } from '../eval/captions-file';
import { scoreCaptions, type CaptionScores } from '../eval/metrics';
import { decodePhoto } from '../node/decode-photo';
import { captionerOptions, commandUsage, errorText, type CommandOptions, numberOption, parseCommandLine, REPO_ROOT, runCommand, startCaptioner, UsageError } from './shared';

const OPTIONS = {
  limit: { type: 'string', value: '<n>', help: 'evaluate only the first n photos of captions.jsonl' },
  'baseline-features': {
    type: 'string',
    multiple: true,
    value: '<prefix>',
    help: 'also score the nearest-neighbour baseline on cached training features (PREFIX.f32 + PREFIX.files.txt from training/encode.ts); repeatable',
  },
  'baseline-captions': {
    type: 'string',
    default: path.join(REPO_ROOT, '../shared/data/captions.jsonl'),
    value: '<file>',
    help: 'captions of those training photos (default ../shared/data/captions.jsonl)',
  },
  json: { type: 'string', value: '<file>', help: 'write the per-photo captions and the scores as JSON' },
} as const satisfies CommandOptions;

const USAGE = commandUsage('npm run eval -- [options] <photos dir> <captions.jsonl>', OPTIONS);

/** Progress goes to stderr this often, because a full validation run takes minutes. */
const PROGRESS_EVERY = 25;

interface PhotoResult {
  file: string;
  references: string[];
  model: string;
  baseline?: string;
  neighbours?: string[];
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const timing = (ms: number[]) => `${mean(ms).toFixed(1)} ms/photo (median ${median(ms).toFixed(1)})`;

function scoreTable(rows: [string, CaptionScores][]): string {
  const header = `${''.padEnd(20)}${['BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'CIDEr-D'].map((name) => name.padStart(9)).join('')}`;
  const lines = rows.map(([name, { bleu, ciderD }]) => name.padEnd(20) + [...bleu, ciderD].map((v) => v.toFixed(4).padStart(9)).join(''));
  return [header, ...lines].join('\n');
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  const options = captionerOptions(values);
  if (positionals.length !== 2) throw new UsageError(`expected <photos dir> <captions.jsonl>, got ${positionals.length} arguments`);
  const [photosDir, captionsPath] = positionals;
  const limit = numberOption('limit', values.limit, true);
  if (limit !== undefined && limit < 1) throw new UsageError(`--limit must be at least 1, got ${limit}`);
  const photos = await readCaptionsFile(captionsPath, limit);
  if (photos.length === 0) throw new Error(`${captionsPath} lists no photos`);

  const { captioner, modelDir, backend } = await startCaptioner(options);
  const { card } = captioner;
  const featurePrefixes = values['baseline-features'] ?? [];
  const baseline =
    featurePrefixes.length > 0 ? await NearestNeighbourBaseline.load(featurePrefixes, values['baseline-captions'], card.image.resize) : undefined;

  const results: PhotoResult[] = [];
  const modelMs: number[] = [];
  const baselineMs: number[] = [];
  let failures = 0;
  for (const [i, photo] of photos.entries()) {
    try {
      const bytes = await readFile(path.join(photosDir, photo.file));
      let started = performance.now();
      const image = await decodePhoto(bytes);
      const {
        captions: [best],
      } = await captioner.caption(image, options.search);
      modelMs.push(performance.now() - started);
      const result: PhotoResult = { file: photo.file, references: photo.captions, model: best?.text ?? '' };
      if (baseline) {
        started = performance.now();
        const { caption, neighbours } = await baseline.caption(image, photo.file);
        baselineMs.push(performance.now() - started);
        result.baseline = caption;
        result.neighbours = neighbours;
      }
      results.push(result);
    } catch (error) {
      failures++;
      console.error(`${photo.file}: ${errorText(error)}`);
    }
    if ((i + 1) % PROGRESS_EVERY === 0) console.error(`${i + 1}/${photos.length} photos, model ${timing(modelMs)}`);
  }
  captioner.dispose();
  baseline?.dispose();
  if (results.length === 0) throw new Error('no photo could be captioned');

  const references = results.map((result) => result.references);
  const modelScores = scoreCaptions(results.map((result) => result.model), references);
  const baselineScores = baseline && scoreCaptions(results.map((result) => result.baseline ?? ''), references);
  const scoreRows: [string, CaptionScores][] = [['model', modelScores]];
  if (baselineScores) scoreRows.push(['nearest neighbour', baselineScores]);

  const search = { ...DEFAULT_BEAM_SEARCH_OPTIONS, ...options.search };
  const report = [
    `${results.length} photos from ${captionsPath}${failures > 0 ? ` (${failures} failed)` : ''}; model ${card.name}, beam size ${search.beamSize}, max length ${search.maxLength}`,
    scoreTable(scoreRows),
    `model: ${timing(modelMs)}: decode, preprocess, graph and beam search on ${backend}`,
  ];
  if (baselineScores) report.push(`nearest neighbour: ${timing(baselineMs)}: encoder, ${NEIGHBOURS} nearest training photos, consensus caption`);
  process.stdout.write(report.join('\n') + '\n');

  if (values.json) {
    const summary = (scores: CaptionScores, ms: number[]) => ({ bleu: scores.bleu, ciderD: scores.ciderD, msPerPhoto: mean(ms) });
    const json = {
      captionsFile: captionsPath,
      photos: results.length,
      failures,
      model: { id: card.id, name: card.name, dir: modelDir },
      backend,
      search,
      scores: { model: summary(modelScores, modelMs), baseline: baselineScores && summary(baselineScores, baselineMs) },
      results: results.map((result, i) => ({
        ...result,
        modelCiderD: modelScores.perImageCiderD[i],
        baselineCiderD: baselineScores?.perImageCiderD[i],
      })),
    };
    await writeFile(values.json, JSON.stringify(json, null, 2) + '\n');
  }
  return failures > 0 ? 1 : 0;
}

runCommand(main, USAGE);
