import { replaceFileAtomic } from './fileText';

/**
 * Replaces `file` with `text` (UTF-8) atomically, keeping its mode; refuses, and leaves the file as it is,
 * when its contents are no longer `expected` (changed since it was read). The message names the file.
 * Files read with their encoding use fileText.ts's writeFileTextAtomic instead.
 */
export function writeFileAtomic(file: string, text: string, expected: string): void {
  try {
    replaceFileAtomic(file, Buffer.from(text, 'utf8'), Buffer.from(expected, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
}
