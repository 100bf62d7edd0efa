/** The im2txt tutorial's output line: `0) a group of people sitting at tables in a room . (p=0.000306)`. */
export function formatCaptionLine(index: number, caption: { text: string; p: number }): string {
  return `${index}) ${caption.text} (p=${caption.p.toFixed(6)})`;
}
