import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDecoder } from 'node:util';
import { withLineEnd } from '../documents/lineEnds';

/**
 * The text of a file as Python reads it, and the way back to bytes: BOMs (UTF-8, UTF-16), PEP 263 coding
 * declarations on the first two lines, UTF-8 otherwise, and the file's line ending. A file that cannot be
 * decoded is an error with a message, never an empty file. Writes are atomic (temp file + rename) and refuse
 * to overwrite a file that changed since it was read.
 */
export interface FileText {
  path: string;
  /** The decoded text (BOM removed), line endings as in the file. */
  text: string;
  /** The text the analysis reads: lone CRs (old Mac line ends, which Python accepts) become LF; offsets are the same. */
  analysisText: string;
  /** Python's name of the encoding: utf-8, utf-8-sig, utf-16-le, latin-1, cp1252 … */
  encoding: string;
  /** The line ending new lines get: the file's first one ('\n' when it has none). */
  newline: '\n' | '\r\n' | '\r';
  /** The bytes read, to detect a change before writing. */
  bytes: Buffer;
}

export class FileTextError extends Error {}

const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
const BLANK = /^[ \t\f]*(?:[#\r\n]|$)/;

/** Python's normalisation of the common names (tokenize._get_normal_name), then aliases Node knows. */
function normalName(name: string): string {
  const n = name.toLowerCase().replace(/_/g, '-');
  if (n === 'utf-8' || n.startsWith('utf-8-') || n === 'utf8') return 'utf-8';
  if (/^(latin-1|iso-8859-1|iso-latin-1)(-|$)/.test(n) || n === 'latin1' || n === 'l1') return 'latin-1';
  if (n === 'ascii' || n === 'us-ascii' || n === '646') return 'ascii';
  return n;
}

/** The coding declaration of the first two lines, as PEP 263 and tokenize.detect_encoding read it. */
export function codingCookie(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 1024).toString('latin1');
  const lines = head.split(/\r\n|\r|\n/, 2);
  const first = COOKIE.exec(lines[0] ?? '');
  if (first) return first[1];
  if (!BLANK.test(lines[0] ?? '')) return undefined;
  return COOKIE.exec(lines[1] ?? '')?.[1];
}

/** A decoder and an encoder for an encoding name; undefined when Node cannot decode it. */
function codec(encoding: string): { decode: (b: Buffer) => string; encode?: (s: string) => Buffer } | undefined {
  switch (encoding) {
    case 'utf-8':
    case 'utf-8-sig':
      return { decode: (b) => new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b), encode: (s) => Buffer.from(s, 'utf8') };
    case 'latin-1':
      return { decode: (b) => b.toString('latin1'), encode: (s) => strictSingleByte(s, (c) => (c < 256 ? c : -1), encoding) };
    case 'ascii':
      return {
        decode: (b) => {
          const bad = b.findIndex((x) => x > 127);
          if (bad >= 0) throw new FileTextError(`byte 0x${b[bad]!.toString(16)} at offset ${bad} is not ascii`);
          return b.toString('latin1');
        },
        encode: (s) => strictSingleByte(s, (c) => (c < 128 ? c : -1), encoding),
      };
    case 'utf-16-le':
    case 'utf-16-be': {
      const le = encoding === 'utf-16-le';
      return {
        decode: (b) => new TextDecoder(le ? 'utf-16le' : 'utf-16be', { fatal: true, ignoreBOM: true }).decode(b),
        encode: (s) => {
          const out = Buffer.from(s, 'utf16le');
          if (!le) out.swap16();
          return out;
        },
      };
    }
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    return undefined;
  }
  // a single-byte code page can be encoded by inverting its decoding table; multi-byte ones are read only
  const table = singleByteTable(decoder);
  return { decode: (b) => decoder.decode(b), encode: table ? (s) => strictSingleByte(s, (c) => table.get(c) ?? -1, encoding) : undefined };
}

function singleByteTable(decoder: TextDecoder): Map<number, number> | undefined {
  const table = new Map<number, number>();
  for (let b = 0; b < 256; b++) {
    let s: string;
    try {
      s = decoder.decode(Uint8Array.of(b));
    } catch {
      continue;
    }
    if (s.length !== 1) return undefined;
    table.set(s.charCodeAt(0), b);
  }
  return table.size > 128 ? table : undefined;
}

function strictSingleByte(s: string, byteOf: (code: number) => number, encoding: string): Buffer {
  const out = Buffer.alloc(s.length);
  for (let i = 0; i < s.length; i++) {
    const b = byteOf(s.charCodeAt(i));
    if (b < 0) throw new FileTextError(`${JSON.stringify(s[i])} cannot be written in ${encoding} (the file's declared encoding)`);
    out[i] = b;
  }
  return out;
}

/** The file's encoding as Python determines it, and the bytes of its text (without the BOM). */
function detect(bytes: Buffer): { encoding: string; body: Buffer } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16-le', body: bytes.subarray(2) };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16-be', body: bytes.subarray(2) };
  const cookie = codingCookie(bytes);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    if (cookie && normalName(cookie) !== 'utf-8') throw new FileTextError(`a UTF-8 BOM and a "coding: ${cookie}" declaration disagree`);
    return { encoding: 'utf-8-sig', body: bytes.subarray(3) };
  }
  return { encoding: cookie ? normalName(cookie) : 'utf-8', body: bytes };
}

export function decodeFileText(file: string, bytes: Buffer): FileText {
  const { encoding, body } = detect(bytes);
  const c = codec(encoding);
  if (!c) throw new FileTextError(`cannot decode it: unknown encoding "${encoding}" (its coding declaration)`);
  let text: string;
  try {
    text = c.decode(body);
  } catch (e) {
    const why = e instanceof FileTextError ? e.message : 'invalid bytes';
    throw new FileTextError(`cannot decode it as ${encoding} (${why})${encoding === 'utf-8' ? '; declare its encoding with a "# -*- coding: … -*-" line (PEP 263)' : ''}`);
  }
  const nl = /\r\n|\r|\n/.exec(text)?.[0] as FileText['newline'] | undefined;
  return { path: file, text, analysisText: text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text, encoding, newline: nl ?? '\n', bytes };
}

/** Reads and decodes a file; errors (unreadable, undecodable) are thrown with a clear message. */
export function readFileText(file: string): FileText {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new FileTextError(err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message);
  }
  return decodeFileText(file, bytes);
}

/** Line ends of inserted text made the file's own (the converter writes '\n'). */
export function withNewlines(ft: FileText, s: string): string {
  return withLineEnd(s, ft.newline);
}

/**
 * A whole new text (from the analysis text) given back the file's line ends: when the file uses one kind
 * throughout, every line end becomes it (lone CRs read as LF go back to CR); a mixed file keeps what it has.
 */
export function withFileNewlines(ft: FileText, s: string): string {
  const kinds = new Set(ft.text.match(/\r\n|\r|\n/g) ?? []);
  if (kinds.size > 1 || ft.newline === '\n') return kinds.size > 1 ? s : s.replace(/\r\n?/g, '\n');
  return s.replace(/\r\n|\r|\n/g, ft.newline);
}

/** The bytes of a new text in the file's encoding, BOM included. */
export function encodeFileText(ft: FileText, text: string): Buffer {
  const c = codec(ft.encoding);
  if (!c?.encode) throw new FileTextError(`cannot write ${ft.encoding}: rewrite the file in UTF-8 first`);
  const body = c.encode(text);
  const bom = ft.encoding === 'utf-8-sig' ? Buffer.from([0xef, 0xbb, 0xbf]) : ft.encoding === 'utf-16-le' ? Buffer.from([0xff, 0xfe]) : ft.encoding === 'utf-16-be' ? Buffer.from([0xfe, 0xff]) : undefined;
  return bom ? Buffer.concat([bom, body]) : body;
}

/**
 * Replaces the file's content atomically with the text in the file's encoding (see replaceFileAtomic);
 * refuses when the file on disk is no longer the one read, so a save made meanwhile is never lost.
 */
export function writeFileTextAtomic(ft: FileText, text: string): void {
  replaceFileAtomic(ft.path, encodeFileText(ft, text), ft.bytes);
}

/**
 * Replaces a file's bytes atomically: they go to a temp file beside it, which is renamed over it, so a reader
 * never sees half a file. Refuses (FileTextError) when the file's bytes are no longer `expected`. Symlinks are
 * followed (the link stays a link); the file's mode is kept.
 */
export function replaceFileAtomic(file: string, bytes: Buffer, expected: Buffer): void {
  const target = fs.realpathSync(file);
  const unchanged = () => {
    try {
      return fs.readFileSync(target).equals(expected);
    } catch {
      return false;
    }
  };
  if (!unchanged()) throw new FileTextError('changed since it was read: not written (run again on the new content)');
  const mode = fs.statSync(target).mode & 0o7777;
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.chmodSync(tmp, mode);
    if (!unchanged()) throw new FileTextError('changed since it was read (while it was being written): not written (run again on the new content)');
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
