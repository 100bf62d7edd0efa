import { describe, expect, it } from 'vitest';
import { BACKBONE_CHANNELS, COCO_LABELS, FEATURE_SIZE, GRID_SIDE, REGION_COUNT, REGION_GEOMETRY, REGION_RECORD_SIZE } from '../../training/encoder';
import { personFeatures, probeOutcome, trainProbe } from '../../training/gender-probe';

const regionsStart = FEATURE_SIZE + GRID_SIDE * GRID_SIDE * BACKBONE_CHANNELS;
const geometryStart = regionsStart + REGION_COUNT * BACKBONE_CHANNELS;

const dog = COCO_LABELS.indexOf('dog');

/** A record whose region i has class classes[i], score scores[i] and every feature equal to i + 1; the other regions are unlikely dogs. */
function record(classes: number[], scores: number[]): Float32Array {
  const values = new Float32Array(REGION_RECORD_SIZE);
  values.fill(-1, 0, FEATURE_SIZE);
  for (let region = 0; region < REGION_COUNT; region++) values[geometryStart + region * REGION_GEOMETRY + 5] = dog;
  classes.forEach((label, region) => {
    values.fill(region + 1, regionsStart + region * BACKBONE_CHANNELS, regionsStart + (region + 1) * BACKBONE_CHANNELS);
    values[geometryStart + region * REGION_GEOMETRY + 4] = scores[region];
    values[geometryStart + region * REGION_GEOMETRY + 5] = label;
  });
  return values;
}

/** A small deterministic generator, so the synthetic photos are the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('gender probe', () => {
  it('reads the most confident person among the regions, with its score and the global features', () => {
    const features = personFeatures(record([dog, 0, 0], [0.9, 0.4, 0.7]));
    expect(features?.length).toBe(BACKBONE_CHANNELS + 1 + FEATURE_SIZE);
    expect(features?.[0]).toBe(3); // region 2, the 0.7 person, not the 0.9 dog
    expect(features?.[BACKBONE_CHANNELS]).toBeCloseTo(0.7);
    expect(features?.[BACKBONE_CHANNELS + 1]).toBe(-1);
    expect(personFeatures(record([dog], [0.9]))).toBeNull();
  });

  it('learns a gender signal carried by one feature among noise, and weighs the rarer class equally', () => {
    const next = random(7);
    const photos = (count: number) => Array.from({ length: count }, (_, i) => {
      const female = i % 3 === 0; // a third, as in the references
      return { female, row: Float32Array.from({ length: 6 }, (_, d) => (d === 2 ? (female ? 1 : -1) : 0) + next() * 1.5) };
    });
    const train = photos(300);
    const probe = trainProbe(train.map((p) => p.row), train.map((p) => p.female), { l2: 0.01, epochs: 300, learningRate: 0.05 });
    const held = photos(90);
    const right = (female: boolean) => held.filter((p) => p.female === female && (probe.predict(p.row) >= 0.5) === female).length / held.filter((p) => p.female === female).length;
    expect(right(true)).toBeGreaterThan(0.8);
    expect(right(false)).toBeGreaterThan(0.8);
  });

  it('counts what naming the predicted gender at a confidence would do, per agreed gender', () => {
    const outcome = probeOutcome([0.95, 0.6, 0.1, 0.9, 0.5], ['female', 'female', 'male', 'male', null], 0.8);
    expect(outcome.byGender.female).toEqual({ photos: 2, right: 1, wrong: 0 });
    expect(outcome.byGender.male).toEqual({ photos: 2, right: 1, wrong: 1 });
    expect(outcome).toMatchObject({ unagreed: 1, unagreedNamed: 0 });
  });
});
