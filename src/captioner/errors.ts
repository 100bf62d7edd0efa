/**
 * Errors of the package's API (Node and browser), each with a stable `code` so that callers can tell
 * a bad photo from a bad model without reading messages. A captioner stays usable after any of them.
 */

export type CaptionErrorCode = 'not-an-image' | 'truncated-image' | 'unsupported-format' | 'damaged-image' | 'broken-model';

export class CaptionError extends Error {
  constructor(
    readonly code: CaptionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CaptionError';
  }
}

/** The bytes are no image format at all (a text file, an empty file). */
export class NotAnImageError extends CaptionError {
  constructor(message: string) {
    super('not-an-image', message);
    this.name = 'NotAnImageError';
  }
}

/** An image cut short (an interrupted download or copy). */
export class TruncatedImageError extends CaptionError {
  constructor(message: string) {
    super('truncated-image', message);
    this.name = 'TruncatedImageError';
  }
}

/** A real image format that this decoder does not read (AVIF in Node, TIFF). */
export class UnsupportedFormatError extends CaptionError {
  constructor(message: string) {
    super('unsupported-format', message);
    this.name = 'UnsupportedFormatError';
  }
}

/** An image whose format is known but whose data cannot be decoded, or whose size is absurd. */
export class DamagedImageError extends CaptionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('damaged-image', message, options);
    this.name = 'DamagedImageError';
  }
}

/** A model package that is missing files, or whose files are damaged or do not fit together. */
export class BrokenModelError extends CaptionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('broken-model', message, options);
    this.name = 'BrokenModelError';
  }
}
