import { describe, expect, it } from 'vitest';
import { formatCaptionLine, toAltText } from '../../src/captioner/format';
import { altTextSegments, formatBytes } from '../../src/ui/format';

describe('UI formatting', () => {
  it("prints captions in the tutorial's format", () => {
    expect(formatCaptionLine(0, { text: 'a group of people sitting at tables in a room .', p: 0.000306 })).toBe(
      '0) a group of people sitting at tables in a room . (p=0.000306)',
    );
  });

  it('turns model tokens into an alt-text sentence', () => {
    expect(toAltText('a dog on a couch .')).toBe('A dog on a couch.');
    expect(toAltText('a man , a woman and a dog')).toBe('A man, a woman and a dog.');
    expect(toAltText('')).toBe('');
    expect(toAltText('a dog is running through the grass .')).toBe('A dog is running through the grass.');
  });

  it('puts "a" or "an" as the next word sounds, whatever the model said', () => {
    expect(toAltText('a elephant standing next to an tree .')).toBe('An elephant standing next to a tree.');
    expect(toAltText('a umbrella , a unicorn and a one way sign')).toBe('An umbrella, a unicorn and a one way sign.');
    expect(toAltText('a hour glass near a european car and a urban street')).toBe('An hour glass near a european car and an urban street.');
    expect(toAltText('an hot dog on a plate .')).toBe('A hot dog on a plate.');
    expect(toAltText('a 8 year old and a 7 year old')).toBe('An 8 year old and a 7 year old.');
  });

  it('leaves German articles and prepositions as the model wrote them: "an" is a preposition there', () => {
    expect(toAltText('eine Person sitzt an der Wand .', 'de')).toBe('Eine Person sitzt an der Wand.');
    expect(toAltText('ein Hund an einem Strand', 'de')).toBe('Ein Hund an einem Strand.');
    // The same words through the English rule would change: the language decides.
    expect(toAltText('eine Person sitzt an der Wand .', 'en')).toBe('Eine Person sitzt a der Wand.');
  });

  it('formats download sizes', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(40_123_456)).toBe('40.1 MB');
  });

  it('cuts the alt text so that each object word is its own segment, whole words only', () => {
    const words = 'a woman and a man eat a hot dog .'.split(' ');
    const mentions = [
      { label: 'person', start: 1, length: 1 },
      { label: 'person', start: 4, length: 1 },
      { label: 'hot dog', start: 7, length: 2 },
    ];
    const segments = altTextSegments({ text: words.join(' '), words, mentions }, 'en');
    expect(segments).toEqual([
      { text: 'A ' },
      { text: 'woman', label: 'person' },
      { text: ' and a ' },
      { text: 'man', label: 'person' },
      { text: ' eat a ' },
      { text: 'hot dog', label: 'hot dog' },
      { text: '.' },
    ]);
    expect(segments.map((segment) => segment.text).join('')).toBe(toAltText(words.join(' ')));
    expect(altTextSegments({ text: 'man .', words: ['man', '.'], mentions: [{ label: 'person', start: 0, length: 1 }] }, 'en')).toEqual([
      { text: 'Man', label: 'person' },
      { text: '.' },
    ]);
  });
});
