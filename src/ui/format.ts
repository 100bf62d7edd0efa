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
