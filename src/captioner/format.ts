/** The im2txt tutorial's output line: `0) a group of people sitting at tables in a room . (p=0.000306)`. */
export function formatCaptionLine(index: number, caption: { text: string; p: number }): string {
  return `${index}) ${caption.text} (p=${caption.p.toFixed(6)})`;
}

/** The model's tokens ("a dog on a couch .") as a sentence for alt text ("A dog on a couch."). */
export function toAltText(captionText: string): string {
  const sentence = captionText
    .trim()
    .replace(/\s+([.,!?;:'])/g, '$1')
    .replace(/[.\s]+$/, '');
  return sentence ? `${sentence[0].toUpperCase()}${sentence.slice(1)}.` : '';
}
