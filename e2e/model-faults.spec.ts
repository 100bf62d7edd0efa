/**
 * Issue 6: broken model packages. Each test serves the fixture under another model id with one file
 * broken; the app must say what is wrong, keep the page and the queued photo, and load the model
 * once Retry finds the file repaired. A damaged package must never caption silently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { dropFiles, expectCaptioned, instrumentPage, PHOTOS, workerEvents } from './helpers';
import { E2E_MODELS_DIR } from './paths';

const FIXTURE_DIR = path.join(E2E_MODELS_DIR, 'fixture-squares');
const BROKEN_ID = 'broken-fixture';

interface Fault {
  name: string;
  /** Which file of the package is broken; a function of the fixture's files, as shard names vary. */
  file: (files: string[]) => string;
  /** The broken bytes, or null to answer 404. */
  damage: ((bytes: Buffer) => Uint8Array) | null;
  message: RegExp;
}

const modelJson = () => 'model.json';
const firstShard = (files: string[]) => files.find((file) => file.endsWith('.bin'))!;

const FAULTS: Fault[] = [
  { name: 'model.json is missing', file: modelJson, damage: null, message: /could not download model\.json \(HTTP 404\)/ },
  { name: 'a weight shard is missing', file: firstShard, damage: null, message: /could not download group1-shard\d+of\d+\.bin \(HTTP 404\)/ },
  { name: 'a weight shard is truncated', file: firstShard, damage: (bytes) => bytes.subarray(0, bytes.length >> 1), message: /group1-shard\d+of\d+\.bin is damaged/ },
  {
    name: 'a weight shard has wrong bytes',
    file: firstShard,
    damage: (bytes) => bytes.map((byte, index) => (index % 64 === 0 ? byte ^ 0x5a : byte)),
    message: /group1-shard\d+of\d+\.bin is damaged/,
  },
  { name: 'model.json does not parse', file: modelJson, damage: (bytes) => bytes.subarray(0, bytes.length - 20), message: /model\.json is not valid JSON/ },
  {
    name: 'the vocabulary does not match the model',
    file: () => 'word_counts.txt',
    damage: (bytes) => Buffer.concat([bytes, Buffer.from('extra 1\n')]),
    message: /word_counts\.txt gives \d+ softmax columns .* card\.json says vocabularySize \d+/,
  },
  { name: 'card.json does not parse', file: () => 'card.json', damage: (bytes) => Buffer.from(`${bytes}}`), message: /card\.json is not valid JSON/ },
];

// The faults are injected by routing, which requests a service worker answers would bypass.
test.use({ serviceWorkers: 'block' });

for (const fault of FAULTS) {
  test(`${fault.name}: a clear error, the queue kept, and Retry loads the repaired model`, async ({ page }) => {
    const files = readdirSync(FIXTURE_DIR);
    const brokenFile = fault.file(files);
    let broken = true;
    await page.route('**/models/models.json', (route) =>
      route.fulfill({ json: { default: BROKEN_ID, models: [{ id: BROKEN_ID, name: 'Fixture with a broken file', fixture: true }] } }),
    );
    await page.route(`**/models/${BROKEN_ID}/*`, (route) => {
      const file = path.basename(new URL(route.request().url()).pathname);
      if (!files.includes(file)) return route.fulfill({ status: 404, body: 'not found' });
      const bytes = readFileSync(path.join(FIXTURE_DIR, file));
      if (!broken || file !== brokenFile) return route.fulfill({ body: bytes });
      return fault.damage ? route.fulfill({ body: Buffer.from(fault.damage(bytes)) }) : route.fulfill({ status: 404, body: 'not found' });
    });
    await instrumentPage(page);
    await page.goto('./?backend=webgl');

    const status = page.getByTestId('model-status');
    await expect(status).toHaveAttribute('data-phase', 'error');
    await expect(status.getByRole('alert')).toContainText(fault.message);
    await expect(page.getByRole('heading', { name: 'Show and Tell' })).toBeVisible();

    // A photo dropped meanwhile waits for a working model instead of being captioned by a broken one.
    await dropFiles(page, [PHOTOS.cat()]);
    await expect(page.getByTestId('photo-card')).toHaveAttribute('data-state', 'waiting');
    expect((await workerEvents(page)).filter((event) => event.type === 'job-done')).toEqual([]);

    broken = false;
    await status.getByRole('button', { name: 'Retry' }).click();
    await expect(status).toHaveAttribute('data-phase', 'ready');
    await expectCaptioned(page, 'house-cat.jpg');
  });
}
