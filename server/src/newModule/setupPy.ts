/**
 * Adds a `cffi_modules` entry to an existing setup.py with a minimal textual edit. cffi has no
 * pyproject.toml-only configuration, so the build script must be named in setup.py.
 */

export type SetupPyMerge =
  | { ok: true; text: string; changed: boolean }
  | { ok: false; error: string };

/**
 * `text` with comments and the inside of string literals replaced by spaces (same length, line breaks kept),
 * so searches see only code. A string keeps a `"` at each end.
 */
export function maskStringsAndComments(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '#') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      // A prefix such as r, b, rb or f is an identifier character just before the quote.
      let start = i;
      while (start > 0 && /[rRbBuUfF]/.test(text[start - 1]) && i - start < 2) start--;
      if (start > 0 && /[\w]/.test(text[start - 1])) start = i;
      const quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      let j = i + quote.length;
      while (j < text.length) {
        if (text[j] === '\\') {
          j += 2; // in raw strings too: r"\"" does not end at the escaped quote
          continue;
        }
        if (text.startsWith(quote, j)) {
          j += quote.length;
          break;
        }
        if (quote.length === 1 && text[j] === '\n') break; // unterminated: stop at the line end
        j++;
      }
      const end = Math.min(j, text.length);
      blank(start, end);
      // Keep a quote at each end so the mask still shows where a value is, not what it says.
      out[start] = '"';
      if (end - 1 > start && out[end - 1] !== '\n') out[end - 1] = '"';
      i = j;
      continue;
    }
    i++;
  }
  return out.join('');
}

function matchingBracket(mask: string, open: number): number {
  let depth = 0;
  for (let k = open; k < mask.length; k++) {
    if ('([{'.includes(mask[k])) depth++;
    else if (')]}'.includes(mask[k]) && --depth === 0) return k;
  }
  return -1;
}

function lineIndent(text: string, pos: number): string {
  const start = text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/**
 * Appends `item` to the list or call whose bracket is at `open`, keeping its layout: one per line (after
 * any comment ending the last line) or inline.
 */
function appendToList(text: string, mask: string, open: number, item: string): string | undefined {
  const close = matchingBracket(mask, open);
  if (close === -1) return undefined;
  if (mask.slice(open + 1, close).trim() === '') return text.slice(0, open + 1) + item + text.slice(close);
  let last = close - 1;
  while (/\s/.test(mask[last])) last--;
  const trailingComma = mask[last] === ',';
  const lineEnd = mask.indexOf('\n', last);
  if (lineEnd === -1 || lineEnd > close) {
    return text.slice(0, last + 1) + (trailingComma ? ' ' : ', ') + item + text.slice(last + 1);
  }
  const indent = lineIndent(text, last);
  const withComma = trailingComma ? text : text.slice(0, last + 1) + ',' + text.slice(last + 1);
  const at = trailingComma ? lineEnd : lineEnd + 1;
  return withComma.slice(0, at) + `\n${indent}${item}${trailingComma ? ',' : ''}` + withComma.slice(at);
}

/** The `[` of `keyword=[...]` inside the call whose parentheses span [open, close], or -1. */
function keywordList(mask: string, keyword: string, open: number, close: number): number {
  const re = new RegExp(`\\b${keyword}\\s*=\\s*\\[`, 'g');
  re.lastIndex = open;
  const m = re.exec(mask);
  return m && m.index < close ? m.index + m[0].length - 1 : -1;
}

function pyString(s: string): string {
  return JSON.stringify(s);
}

/**
 * Adds `entry` (e.g. `"mylib_build.py:ffibuilder"`) to `cffi_modules` of the `setup(...)` call, creating
 * the keyword when missing, and makes sure `setup_requires` names cffi.
 */
export function mergeCffiModule(text: string, entry: string): SetupPyMerge {
  let mask = maskStringsAndComments(text);
  // setup( or setuptools.setup(, but not def setup( or some_object.setup(
  const call = /(?<!\bdef\s+)(?<!\w)(?<!(?<!setuptools)\.)setup\s*\(/m.exec(mask);
  if (!call) return { ok: false, error: 'setup.py has no setup(...) call to add cffi_modules to' };
  const open = call.index + call[0].length - 1;
  let close = matchingBracket(mask, open);
  if (close === -1) return { ok: false, error: 'the setup(...) call in setup.py is not closed' };

  const already = new RegExp(`["']${entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']`);
  const listAt = keywordList(mask, 'cffi_modules', open, close);
  if (listAt !== -1 && already.test(text.slice(listAt, matchingBracket(mask, listAt) + 1))) {
    return { ok: true, text, changed: false };
  }
  if (/\bcffi_modules\s*=/.test(mask.slice(open, close)) && listAt === -1) {
    return { ok: false, error: 'cffi_modules in setup.py is not a literal list: add the entry by hand' };
  }

  let out: string | undefined;
  if (listAt !== -1) {
    out = appendToList(text, mask, listAt, pyString(entry));
  } else {
    out = appendToList(text, mask, open, `cffi_modules=[${pyString(entry)}]`);
  }
  if (out === undefined) return { ok: false, error: 'could not edit cffi_modules in setup.py' };

  // setup_requires: add cffi unless some entry already mentions it.
  mask = maskStringsAndComments(out);
  close = matchingBracket(mask, open);
  const reqAt = keywordList(mask, 'setup_requires', open, close);
  if (reqAt !== -1) {
    const list = out.slice(reqAt, matchingBracket(mask, reqAt) + 1);
    if (!/["']cffi\b/.test(list)) out = appendToList(out, mask, reqAt, pyString('cffi>=1.0.0')) ?? out;
  } else if (!/\bsetup_requires\s*=/.test(mask.slice(open, close))) {
    out = appendToList(out, mask, open, 'setup_requires=["cffi>=1.0.0"]') ?? out;
  }
  return { ok: true, text: out, changed: true };
}
