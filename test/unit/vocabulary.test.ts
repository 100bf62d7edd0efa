import { describe, expect, it } from 'vitest';
import { Vocabulary } from '../../src/captioner/vocabulary';

describe('Vocabulary', () => {
  const vocabulary = Vocabulary.parse('a 100\n<S> 90\n</S> 90\n. 80\ndog 3\n');

  it('numbers words by line and puts unknown words after the last line', () => {
    expect(vocabulary.words).toEqual(['a', '<S>', '</S>', '.', 'dog']);
    expect([vocabulary.startId, vocabulary.endId, vocabulary.unknownId, vocabulary.size]).toEqual([1, 2, 5, 6]);
    expect(vocabulary.id('dog')).toBe(4);
    expect(vocabulary.id('cat')).toBe(5);
    expect(vocabulary.word(5)).toBe('<UNK>');
  });

  it('turns ids into caption text without the sentence markers', () => {
    expect(vocabulary.captionWords([1, 0, 4, 3, 2]).join(' ')).toBe('a dog .');
    expect(vocabulary.captionWords([1, 0, 5])).toEqual(['a', '<UNK>']);
  });

  it('accepts CRLF line ends and custom sentence words', () => {
    const custom = Vocabulary.parse('<start> 1\r\n<end> 1\r\nx 1\r\n', { start: '<start>', end: '<end>' });
    expect([custom.startId, custom.endId, custom.size]).toEqual([0, 1, 4]);
  });

  it('explains malformed files', () => {
    expect(() => Vocabulary.parse('')).toThrow('word_counts.txt is empty');
    expect(() => Vocabulary.parse('<S> 1\n</S> 1\na dog 3\n')).toThrow('word_counts.txt line 3: expected "word count", got "a dog 3"');
    expect(() => Vocabulary.parse('<S> 1\n\n</S> 1\n')).toThrow('line 2');
    expect(() => Vocabulary.parse('<S> 1\n</S> 1\n<S> 2\n')).toThrow('line 3: "<S>" is listed twice');
    expect(() => Vocabulary.parse('<S> 1\na 1\n')).toThrow('word_counts.txt has no end word "</S>"');
    expect(() => vocabulary.word(9)).toThrow('word id 9 is outside the vocabulary');
  });
});
