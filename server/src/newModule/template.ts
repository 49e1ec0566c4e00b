/**
 * One template, two renderings: a VS Code snippet body (slots become tab stops) and a file written by
 * "New Binding Module" (slots become the user's values). This is what keeps snippets and generated
 * modules from drifting apart.
 */

/** A slot that becomes a tab stop (`${n:default}`) in the snippet. */
export interface FieldSlot {
  kind: 'field';
  /** Text the snippet offers; the generator must supply its own value. */
  default: string;
}

/** A slot that is plain text in the snippet but variable in generated files (e.g. an import only some inputs need). */
export interface FixedSlot {
  kind: 'fixed';
  default: string;
}

export type Slot = FieldSlot | FixedSlot;

/** Interpolating `END` marks where the cursor lands after the snippet (`$0`). */
export const END = '$0';

export interface Template {
  /** Literal text between slots: always one more than `keys`. */
  readonly texts: readonly string[];
  /** Slot key for each gap; `END` for the final cursor. */
  readonly keys: readonly string[];
  readonly slots: Readonly<Record<string, Slot>>;
}

export function fixed(defaultText: string): FixedSlot {
  return { kind: 'fixed', default: defaultText };
}

/**
 * `python({ name: 'example' })\`import ${'name'}\`` builds a template. Text is taken raw, so Python
 * escapes such as `"\n"` are written as they appear in Python. A string default declares a field.
 */
export function python(slots: Record<string, string | Slot>) {
  const declared: Record<string, Slot> = {};
  for (const [key, s] of Object.entries(slots)) declared[key] = typeof s === 'string' ? { kind: 'field', default: s } : s;
  return (strings: TemplateStringsArray, ...keys: string[]): Template => {
    for (const key of keys) {
      if (key !== END && !(key in declared)) throw new Error(`template slot "${key}" is not declared`);
    }
    const texts = [...strings.raw];
    texts[0] = texts[0].replace(/^\n/, '');
    return { texts, keys, slots: declared };
  };
}

/** The whitespace that starts the line a slot sits on, so multi-line values keep the block's indentation. */
function indentBefore(text: string): string {
  const lineStart = text.lastIndexOf('\n') + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

function indentContinuation(value: string, indent: string): string {
  return value.replace(/\n(?=.)/g, `\n${indent}`);
}

/** Escapes text for the snippet grammar, where `$`, `}` and `\` are special. */
export function escapeSnippetText(text: string): string {
  return text.replace(/[\\$}]/g, (c) => `\\${c}`);
}

/** Renders the template as a snippet body, one array element per line (the package.json snippet format). */
export function renderSnippetBody(t: Template): string[] {
  const stops = new Map<string, number>();
  let out = '';
  let soFar = '';
  for (let i = 0; i < t.texts.length; i++) {
    out += escapeSnippetText(t.texts[i]);
    soFar += t.texts[i];
    if (i === t.keys.length) break;
    const key = t.keys[i];
    if (key === END) {
      out += '$0';
      continue;
    }
    const slot = t.slots[key];
    const value = indentContinuation(slot.default, indentBefore(soFar));
    soFar += value;
    if (slot.kind === 'fixed') {
      out += escapeSnippetText(value);
    } else if (stops.has(key)) {
      out += `$${stops.get(key)}`;
    } else {
      stops.set(key, stops.size + 1);
      out += `\${${stops.get(key)}:${escapeSnippetText(value)}}`;
    }
  }
  return out.replace(/\n$/, '').split('\n');
}

/** A slot value whose whole line is written commented out: a hint for input the user did not give. */
export interface CommentedOut {
  commentedOut: string;
}

export type SlotValue = string | CommentedOut;

/**
 * Renders the template as file content with every slot filled from `values` (a missing value is an error,
 * so a snippet's example code never leaks into a generated module by accident).
 */
export function renderFile(t: Template, values: Readonly<Record<string, SlotValue>>): string {
  let out = '';
  const linesToComment = new Set<number>();
  for (let i = 0; i < t.texts.length; i++) {
    out += t.texts[i];
    if (i === t.keys.length) break;
    const key = t.keys[i];
    if (key === END) continue;
    const value = values[key];
    if (value === undefined) throw new Error(`no value for template slot "${key}"`);
    if (typeof value !== 'string') linesToComment.add(out.split('\n').length - 1);
    const text = typeof value === 'string' ? value : value.commentedOut;
    out += indentContinuation(text, indentBefore(out));
  }
  const lines = out.split('\n').map((line, n) => (linesToComment.has(n) ? line.replace(/^(\s*)/, '$1# ') : line));
  return tidy(lines.join('\n'));
}

/** Removes what empty slots leave behind: trailing blanks, runs of more than two blank lines, a missing final newline. */
function tidy(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/[ \t]+$/, ''));
  const kept: string[] = [];
  let blanks = 0;
  for (const line of lines) {
    blanks = line === '' ? blanks + 1 : 0;
    if (blanks <= 2) kept.push(line);
  }
  return kept.join('\n').replace(/^\n+/, '').replace(/\n*$/, '\n');
}
