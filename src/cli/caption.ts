/**
 * Captions photos from the command line, printing like the im2txt tutorial (or JSON with --json).
 * Usage: npm run caption -- [--model <dir>] [--beam-size 3] [--max-length 20]
 *        [--length-normalization 0] [--backend wasm|cpu] [--json] photo.jpg [photo.png ...]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Caption } from '../captioner';
import { decodeImage } from '../node/runtime';
import { captionerOptions, CAPTIONER_USAGE, errorText, parseCommandLine, runCommand, startCaptioner, UsageError } from './shared';
import { formatCaptionLine } from '../captioner/format';

const USAGE = `usage: npm run caption -- [options] image...
${CAPTIONER_USAGE}
  --json                         print only a JSON array of results on stdout`;

function printCaptions(file: string, captions: Caption[]): void {
  const lines = captions.map((caption, rank) => `  ${formatCaptionLine(rank, caption)}`);
  process.stdout.write(`Captions for image ${path.basename(file)}:\n${lines.join('\n')}\n`);
}

async function main(args: string[]): Promise<number> {
  const { values, positionals: images } = parseCommandLine(args, { json: { type: 'boolean', default: false } });
  const options = captionerOptions(values);
  if (images.length === 0) throw new UsageError('no image files given');
  const { captioner } = await startCaptioner(options);

  const results: { file: string; captions: { text: string; logprob: number; p: number }[] }[] = [];
  let failures = 0;
  for (const file of images) {
    let captions: Caption[];
    try {
      ({ captions } = await captioner.caption(decodeImage(await readFile(file)), options.search));
    } catch (error) {
      failures++;
      console.error(`${file}: ${errorText(error)}`);
      continue;
    }
    if (values.json) results.push({ file, captions: captions.map(({ text, logProb, p }) => ({ text, logprob: logProb, p })) });
    else printCaptions(file, captions);
  }
  if (values.json) process.stdout.write(JSON.stringify(results) + '\n');
  captioner.dispose();
  return failures > 0 ? 1 : 0;
}

runCommand(main, USAGE);
