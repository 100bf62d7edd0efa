import { describe, expect, it } from 'vitest';
import { formatCaptionLine, toAltText } from '../../src/captioner/format';
import { formatBytes } from '../../src/ui/format';

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
  });

  it('formats download sizes', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(40_123_456)).toBe('40.1 MB');
  });
});
