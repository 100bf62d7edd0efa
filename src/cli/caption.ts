/**
 * Captions photos from the command line, printing like the im2txt tutorial (or JSON with --json).
 * Usage: npm run caption -- [--model <dir>] [--beam-size 3] [--max-length 20]
 *        [--length-normalization 0] [--backend wasm|cpu] [--json] photo.jpg [photo.png ...]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Caption, CaptionResult, RgbaImage } from '../captioner';
import { decodeImage } from '../node/runtime';
import { captionerOptions, CAPTIONER_USAGE, errorText, parseCommandLine, runCommand, startCaptioner, UsageError } from './shared';
import { formatCaptionLine } from '../captioner/format';

const USAGE = `usage: npm run caption -- [options] image...
${CAPTIONER_USAGE}
  --json                         print only a JSON array of results on stdout (with the detected
                                 objects, boxes in pixels, for models that detect objects)`;

interface JsonResult {
  file: string;
  captions: { text: string; logprob: number; p: number }[];
  /** What the detector found, boxes [x, y, width, height] in pixels of the photo as shown (after EXIF orientation). */
  objects?: { label: string; score: number; box: [number, number, number, number] }[];
}

function jsonResult(file: string, { captions, objects }: CaptionResult, image: { width: number; height: number }): JsonResult {
  const result: JsonResult = { file, captions: captions.map(({ text, logProb, p }) => ({ text, logprob: logProb, p })) };
  if (objects) {
    result.objects = objects.map(({ label, score, box: [x, y, width, height] }) => ({
      label,
      score: Number(score.toFixed(4)),
      box: [Math.round(x * image.width), Math.round(y * image.height), Math.round(width * image.width), Math.round(height * image.height)],
    }));
  }
  return result;
}

function printCaptions(file: string, captions: Caption[]): void {
  const lines = captions.map((caption, rank) => `  ${formatCaptionLine(rank, caption)}`);
  process.stdout.write(`Captions for image ${path.basename(file)}:\n${lines.join('\n')}\n`);
}

async function main(args: string[]): Promise<number> {
  const { values, positionals: images } = parseCommandLine(args, { json: { type: 'boolean', default: false } });
  const options = captionerOptions(values);
  if (images.length === 0) throw new UsageError('no image files given');
  const { captioner } = await startCaptioner(options);

  const results: JsonResult[] = [];
  let failures = 0;
  for (const file of images) {
    let image: RgbaImage;
    let result: CaptionResult;
    try {
      image = decodeImage(await readFile(file));
      result = await captioner.caption(image, options.search);
    } catch (error) {
      failures++;
      console.error(`${file}: ${errorText(error)}`);
      continue;
    }
    if (values.json) results.push(jsonResult(file, result, image));
    else printCaptions(file, result.captions);
  }
  if (values.json) process.stdout.write(JSON.stringify(results) + '\n');
  captioner.dispose();
  return failures > 0 ? 1 : 0;
}

runCommand(main, USAGE);
