/** Bad input, reported to the user as is (no stack trace needed). */
export class ConversionError extends Error {}
