import { toAltText } from '../captioner/format';
import type { Caption } from '../worker/protocol';

const BYTE_UNITS = ['bytes', 'kB', 'MB', 'GB'];

/** 40123456 → "40.1 MB" (decimal units, as browsers' download UIs show). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** A piece of a caption's alt text; `label` is the object class its words name, if any. */
export interface TextSegment {
  text: string;
  label?: string;
}

/**
 * The caption's alt text (toAltText) cut so that each object mention is its own segment: joined,
 * the segments are exactly the alt text.
 */
export function altTextSegments(caption: Pick<Caption, 'text' | 'words' | 'mentions'>, language: string): TextSegment[] {
  const sentence = toAltText(caption.text, language);
  const lower = sentence.toLowerCase();
  const segments: TextSegment[] = [];
  let consumed = 0;
  for (const mention of caption.mentions ?? []) {
    const phrase = caption.words.slice(mention.start, mention.start + mention.length).join(' ');
    // Whole words only: "man" must not match inside "woman".
    const wholeWords = new RegExp(`(?<![a-z0-9'])${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z0-9])`, 'g');
    wholeWords.lastIndex = consumed;
    const at = wholeWords.exec(lower)?.index ?? -1;
    if (at < 0) continue;
    if (at > consumed) segments.push({ text: sentence.slice(consumed, at) });
    segments.push({ text: sentence.slice(at, at + phrase.length), label: mention.label });
    consumed = at + phrase.length;
  }
  if (consumed < sentence.length) segments.push({ text: sentence.slice(consumed) });
  return segments;
}
