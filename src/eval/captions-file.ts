import { readFile } from 'node:fs/promises';

/** One line of a captions.jsonl file (../shared/data/captions.jsonl format); other fields are ignored. */
export interface CaptionedPhoto {
  /** Path relative to the photos folder. */
  file: string;
  captions: string[];
}

function parseLine(line: string, where: string): CaptionedPhoto {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (error) {
    throw new Error(`${where}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const { file, captions } = (record ?? {}) as { file?: unknown; captions?: unknown };
  if (typeof file !== 'string' || file === '') throw new Error(`${where}: "file" must be a non-empty string`);
  if (!Array.isArray(captions) || captions.length === 0 || !captions.every((c): c is string => typeof c === 'string')) {
    throw new Error(`${where}: "captions" must be a non-empty array of strings`);
  }
  return { file, captions };
}

/** Reads a captions.jsonl file (blank lines skipped), or only its first `limit` photos. */
export async function readCaptionsFile(filePath: string, limit = Infinity): Promise<CaptionedPhoto[]> {
  const photos: CaptionedPhoto[] = [];
  const lines = (await readFile(filePath, 'utf8')).split('\n');
  for (let i = 0; i < lines.length && photos.length < limit; i++) {
    if (lines[i].trim() !== '') photos.push(parseLine(lines[i], `${filePath}:${i + 1}`));
  }
  return photos;
}

/** A photo → reference captions JSON object (training/prepare.py's captions.json), checked as it is read. */
export async function readReferencesFile(filePath: string): Promise<Map<string, string[]>> {
  const record = JSON.parse(await readFile(filePath, 'utf8')) as unknown;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new Error(`${filePath}: expected an object of photo → captions`);
  return new Map(
    Object.entries(record).map(([file, captions]) => {
      if (!Array.isArray(captions) || captions.length === 0 || !captions.every((c): c is string => typeof c === 'string')) {
        throw new Error(`${filePath}: "${file}" must name a non-empty array of strings`);
      }
      return [file, captions];
    }),
  );
}
