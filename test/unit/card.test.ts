import { describe, expect, it } from 'vitest';
import { DEFAULT_NODES, parseModelCard } from '../../src/captioner/card';
import { liveFrameOptions } from '../../src/captioner';

const minimal = {
  id: 'm',
  name: 'Model',
  image: { height: 299, width: 299, resize: 'crop', scale: 2 / 255, offset: -1 },
  stateSize: 1024,
  vocabularySize: 12000,
};

describe('parseModelCard', () => {
  it('fills in defaults', () => {
    const card = parseModelCard(minimal);
    expect(card.nodes).toEqual(DEFAULT_NODES);
    expect(card.words).toEqual({ start: '<S>', end: '</S>' });
    expect(card.fixture).toBe(false);
    expect(card.description).toBe('');
    expect(card.image.padValue).toBeUndefined();
    expect(card.liveImage).toBeUndefined();
  });

  it('reads a live-frame input size', () => {
    expect(parseModelCard({ ...minimal, liveImage: { height: 224, width: 224 } }).liveImage).toEqual({ height: 224, width: 224 });
    expect(() => parseModelCard({ ...minimal, liveImage: { height: 224 } })).toThrow('liveImage.width must be a positive integer (got nothing)');
  });

  it('reads the search settings for live frames, which the camera takes with the live input size', () => {
    expect(parseModelCard(minimal).liveSearch).toBeUndefined();
    expect(liveFrameOptions(parseModelCard(minimal))).toEqual({});
    const card = parseModelCard({ ...minimal, liveImage: { height: 352, width: 352 }, liveSearch: { beamSize: 1, maxLength: 16 } });
    expect(card.liveSearch).toEqual({ beamSize: 1, maxLength: 16 });
    expect(liveFrameOptions(card)).toEqual({ inputSize: { height: 352, width: 352 }, beamSize: 1, maxLength: 16 });
    expect(liveFrameOptions(parseModelCard({ ...minimal, liveSearch: { beamSize: 2 } }))).toEqual({ beamSize: 2 });
    expect(() => parseModelCard({ ...minimal, liveSearch: { beamSize: 0 } })).toThrow('liveSearch.beamSize must be a whole number from 1 to 10 (got 0)');
    expect(() => parseModelCard({ ...minimal, liveSearch: { maxLength: 1 } })).toThrow('liveSearch.maxLength must be a whole number from 2 to 50 (got 1)');
    const grounded = parseModelCard({ ...minimal, liveSearch: { beamSize: 1, grounding: { lambda: 2 } } });
    expect(liveFrameOptions(grounded)).toEqual({ beamSize: 1, grounding: { lambda: 2 } });
    expect(() => parseModelCard({ ...minimal, liveSearch: { grounding: { lambda: -1 } } })).toThrow('liveSearch.grounding.lambda must be a number from 0 to 100 (got -1)');
  });

  it("reads the model's search rules", () => {
    expect(parseModelCard(minimal).search).toBeUndefined();
    expect(parseModelCard({ ...minimal, search: { noRepeatNgram: 3 } }).search).toEqual({ noRepeatNgram: 3 });
    expect(() => parseModelCard({ ...minimal, search: { noRepeatNgram: 2.5 } })).toThrow('search.noRepeatNgram must be a whole number from 0 to 10 (got 2.5)');
    expect(parseModelCard({ ...minimal, search: { closingWords: ['.'] } }).search).toEqual({ closingWords: ['.'] });
    expect(() => parseModelCard({ ...minimal, search: { closingWords: [] } })).toThrow('search.closingWords must be a non-empty list of strings');
  });

  it('reads the grounding settings, with an optional penalty for naming a class again', () => {
    const detector = { classScores: 's', detections: 'd', labels: ['dog'], minScore: 0.3, maxObjects: 20 };
    const grounding = { lambda: 1, threshold: 0.5, floor: 0.01, boost: 4 };
    expect(parseModelCard({ ...minimal, detector, grounding }).grounding).toEqual(grounding);
    expect(parseModelCard({ ...minimal, detector, grounding: { ...grounding, repeatPenalty: 0.5 } }).grounding?.repeatPenalty).toBe(0.5);
    expect(() => parseModelCard({ ...minimal, detector, grounding: { ...grounding, repeatPenalty: -1 } })).toThrow(/grounding.repeatPenalty must be/);
  });

  it('lists every problem with its field path', () => {
    const bad = { ...minimal, id: 3, image: { ...minimal.image, resize: 'zoom', height: 0 }, nodes: { softmax: '' }, licence: 'MIT' };
    expect(() => parseModelCard(bad)).toThrow(
      [
        'invalid card.json:',
        '  id must be a non-empty string (got 3)',
        '  image.height must be a positive integer (got 0)',
        '  image.resize must be one of squash, crop, pad (got "zoom")',
        '  nodes.softmax must be a non-empty string (got "")',
        '  licence must be an object (got "MIT")',
      ].join('\n'),
    );
    expect(() => parseModelCard([])).toThrow('card.json must contain a JSON object (got an array)');
    expect(() => parseModelCard({ ...minimal, image: undefined })).toThrow('image.height must be a positive integer (got nothing)');
  });
});
