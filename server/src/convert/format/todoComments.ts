/**
 * `# TODO(pypy-bindings): …` comments as a person and the converter read them: one per cause, wrapped
 * to the project's line length with `#   ` continuation lines, read back whole (a second conversion
 * must recognise the TODOs of the first one, and the report gives each at its line).
 */

export const TODO_MARK = 'TODO(pypy-bindings):';
const CONTINUATION = /^[ \t]*#   (?=\S)/;

/** The comment lines of one TODO at `indent`, each at most `max` columns when the words allow. */
export function todoLines(indent: string, reason: string, max: number): string[] {
  return wrapComment(indent, `${TODO_MARK} ${reason}`, max, '#   ');
}

/** A comment's words on lines of at most `max` columns (a word longer than a line gets a line of its own). */
export function wrapComment(indent: string, text: string, max: number, continuation = '# '): string[] {
  const words = text.split(/\s+/).filter((w) => w);
  const lines: string[] = [];
  let cur = `${indent}# `;
  let empty = true;
  for (const w of words) {
    if (!empty && cur.length + 1 + w.length > max) {
      lines.push(cur);
      cur = `${indent}${continuation}${w}`;
    } else cur += empty ? w : ` ${w}`;
    empty = false;
  }
  lines.push(cur);
  return lines;
}

export interface TodoAt {
  /** 0-based line of the `# TODO(pypy-bindings):` line. */
  line: number;
  /** The reason, continuation lines joined. */
  reason: string;
}

/** Every TODO of the converter in a text, in line order, with its reason read back whole. */
export function todosIn(text: string): TodoAt[] {
  const lines = text.split('\n');
  const out: TodoAt[] = [];
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i]!.indexOf(`# ${TODO_MARK}`);
    if (at < 0 || !/^[ \t]*$/.test(lines[i]!.slice(0, at))) continue;
    out.push({ line: i, reason: readTodo(lines, i) });
  }
  return out;
}

/** The reason of the TODO starting at line `i`, with the continuation lines that follow it. */
function readTodo(lines: readonly string[], i: number): string {
  const first = lines[i]!;
  let reason = first.slice(first.indexOf(TODO_MARK) + TODO_MARK.length).trim();
  for (let j = i + 1; j < lines.length && CONTINUATION.test(lines[j]!); j++) reason += ` ${lines[j]!.replace(CONTINUATION, '').trim()}`;
  return reason.replace(/\r$/, '');
}

/** The reasons of the TODO block right above the line starting at `lineStart` (the converter's own, unwrapped). */
export function todoReasonsAbove(text: string, lineStart: number): string[] {
  // the comment lines right above, read upwards from the line before (not the whole text before it: this is asked per statement)
  const block: string[] = [];
  for (let end = text.lastIndexOf('\n', lineStart - 1); end >= 0 && lineStart > 0; ) {
    const start = end > 0 ? text.lastIndexOf('\n', end - 1) + 1 : 0;
    const line = text.slice(start, end);
    if (!/^[ \t]*#/.test(line)) break;
    block.push(line);
    end = start - 1;
  }
  block.reverse();
  const out: string[] = [];
  block.forEach((l, i) => {
    if (l.trimStart().startsWith(`# ${TODO_MARK}`)) out.push(readTodo(block, i));
  });
  return out;
}

/** The same reason, whatever its wrapping. */
export const sameReason = (a: string, b: string): boolean => a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();
