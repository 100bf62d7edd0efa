/** Hands a file to the browser's downloads. */
export function saveFile(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The download has started from the URL by now; revoking later would only keep the file in memory.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
