/**
 * Node time per photo of a second language's package against the English default (issue 37: the German
 * one within 1.1×), both in one process on wasm and alternating photo by photo, the order swapped at
 * every photo, so the load of a shared machine falls on both alike. Each figure is one caption as the
 * Node API makes it (read, decode, encoder, beam search with the card's own settings).
 *
 *   npx tsx bench/language-speed.ts [--photos N] [--english DIR] [--other DIR] [--rounds R]
 *
 * Photos: the German validation photos (training/data/de/val.jsonl) in ../shared/data/photos.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadThreadCaptioner } from '../src/lib/thread-captioner';
import { readCaptionsFile } from '../src/eval/captions-file';
import { distribution } from './stats';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '1' },
    english: { type: 'string', default: 'public/models/show-and-tell-attend' },
    other: { type: 'string', default: 'public/models/show-and-tell-attend-de' },
    'photo-dir': { type: 'string', default: '../shared/data/photos' },
    captions: { type: 'string', default: 'training/data/de/val.jsonl' },
  },
});

const photos = await readCaptionsFile(values.captions, Number(values.photos));
const models = [await loadThreadCaptioner({ model: values.english }), await loadThreadCaptioner({ model: values.other })];
const times: number[][] = models.map(() => []);
const bytes = await Promise.all(photos.map((photo) => readFile(path.join(values['photo-dir'], photo.file))));
// One caption each first: the first run of a graph compiles its kernels.
for (const model of models) await model.caption(bytes[0]);
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [index, photo] of bytes.entries()) {
    const order = (index + round) % 2 === 0 ? [0, 1] : [1, 0];
    for (const which of order) {
      const started = performance.now();
      await models[which].caption(photo);
      times[which].push(performance.now() - started);
    }
  }
}
const mean = (list: number[]) => list.reduce((a, b) => a + b, 0) / list.length;
const report = models.map((model, which) => ({ model: model.model.id, meanMs: mean(times[which]), ...distribution(times[which]) }));
console.log(JSON.stringify({ photos: photos.length, rounds: Number(values.rounds), backend: models[0].model.backend, report, ratio: report[1].meanMs / report[0].meanMs }, null, 2));
