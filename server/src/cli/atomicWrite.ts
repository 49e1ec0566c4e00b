import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Replaces `file` with `text` atomically (a temporary file beside it, then rename), keeping its mode; refuses,
 * and leaves the file as it is, when its contents are no longer `expected` (changed since it was read).
 * Throws with a message that names the file. (The reliability work may replace this with its shared writer.)
 */
export function writeFileAtomic(file: string, text: string, expected: string): void {
  const st = fs.statSync(file);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.pypy-bindings-${process.pid}.tmp`);
  fs.writeFileSync(tmp, text, { mode: st.mode & 0o7777 });
  try {
    if (fs.readFileSync(file, 'utf8') !== expected) throw new Error(`${file}: changed since it was read: not written`);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
