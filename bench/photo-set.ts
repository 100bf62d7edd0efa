/** The photos the benches run on: the shared data's, or (where a checkout has none) the @stdlib ones that npm installs. */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** BENCH_PHOTOS names another folder, e.g. from a worktree whose ../shared is elsewhere. */
export const SHARED_PHOTOS = path.resolve(process.env.BENCH_PHOTOS ?? '../shared/data/photos');
export const STDLIB_PHOTOS = ['airplane-from-above', 'locomotion-house-cat', 'nagasaki-boats'].map((name) =>
  path.resolve('node_modules/@stdlib', `datasets-img-${name}`, 'data/image.jpg'),
);

/** `count` JPEGs: the first of the shared photos, else the three @stdlib photos over and over; and where they came from. */
export async function benchPhotos(count: number): Promise<{ files: string[]; source: string }> {
  if (existsSync(SHARED_PHOTOS)) {
    const names = (await readdir(SHARED_PHOTOS)).filter((name) => /\.jpe?g$/i.test(name)).sort();
    return { files: names.slice(0, count).map((name) => path.join(SHARED_PHOTOS, name)), source: SHARED_PHOTOS };
  }
  return {
    files: Array.from({ length: count }, (_, i) => STDLIB_PHOTOS[i % STDLIB_PHOTOS.length]),
    source: `the three @stdlib photos, copied ${count} times (${SHARED_PHOTOS} is absent)`,
  };
}
