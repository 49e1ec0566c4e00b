/**
 * Trees deeper than the JavaScript stack (an expression nested thousands of levels, which CPython itself
 * refuses) cannot be walked recursively. Such a file is reported as analysed with nothing found, with a
 * message, rather than as a failure.
 */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

export const TOO_DEEP_MESSAGE = 'nested too deeply to analyse (an expression thousands of levels deep): no diagnostics for this file';
