import { readFile } from 'node:fs/promises';
import type { FeatureRows } from '../src/eval/nearest-neighbour';
import { FEATURE_SIZE } from './encoder';

/**
 * Reads PREFIX.f32 + PREFIX.files.txt as training/encode.ts writes them (rows of `rowSize` numbers:
 * FEATURE_SIZE, or REGION_RECORD_SIZE with --regions). A cache that is still being written is read
 * up to its last complete row.
 */
export async function readFeatureCache(prefix: string, rowSize = FEATURE_SIZE): Promise<FeatureRows> {
  const files = (await readFile(`${prefix}.files.txt`, 'utf8')).split('\n').filter(Boolean);
  const bytes = await readFile(`${prefix}.f32`);
  const rows = Math.floor(bytes.byteLength / (rowSize * 4));
  if (rows > files.length) throw new Error(`${prefix}.f32 has ${rows} rows but ${prefix}.files.txt names only ${files.length} photos`);
  if (rows < files.length) console.error(`warning: ${prefix}.f32 has only ${rows} of ${files.length} photos encoded; using those`);
  // Copied into its own buffer: a Float32Array view needs 4-byte alignment.
  const features = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + rows * rowSize * 4));
  return { files: files.slice(0, rows), features };
}
