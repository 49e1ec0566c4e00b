/**
 * A reader for the reStructuredText subset PyPy's guide uses: section titles, paragraphs, bullet lists,
 * inline literals and emphasis, named, anonymous and section references, hyperlink targets and `:doc:`.
 * It resolves every reference while parsing, so renderers only see text, code, emphasis and links.
 */

export type Inline =
  | { k: 'text'; text: string }
  | { k: 'literal'; text: string }
  | { k: 'emphasis'; text: string }
  | { k: 'strong'; text: string }
  | { k: 'link'; text: string; url: string };

export type Block =
  /** Lines as in the source (indentation removed), inline markup parsed across them ('\n' kept in text). */
  | { k: 'paragraph'; inlines: Inline[] }
  | { k: 'bullets'; items: Inline[][] };

export interface RstLink {
  text: string;
  url: string;
}

export interface RstSection {
  title: string;
  /** The id Sphinx gives the section (its title, lower-cased, runs of other characters → '-'). */
  id: string;
  /** 1 for the document title, 2 for its subsections … (by order of first use of each underline style). */
  level: number;
  blocks: Block[];
  /** Every resolved link in the section body, in text order. */
  links: RstLink[];
}

export interface RstProblem {
  line: number;
  message: string;
}

export interface RstDocument {
  sections: RstSection[];
  problems: RstProblem[];
}

export interface RstOptions {
  /** Resolves a section id to its URL (section references become links to it). */
  sectionUrl: (id: string) => string;
  /** Resolves a `:doc:` target (a document path without suffix) to its URL. */
  docUrl: (target: string) => string;
}

/** Sphinx/docutils id of a title: lower case, every run of non-alphanumerics becomes one hyphen. */
export function sectionId(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** Reference names compare case-insensitively with whitespace collapsed (docutils' `fully_normalize_name`). */
function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\s+/g, ' ').trim();
}

const ADORNMENT = /^([=\-`:'"~^_*+#<>.])\1{2,}\s*$/;
const EXPLICIT = /^\.\.\s/;
const NAMED_TARGET = /^\.\.\s+_(`[^`]+`|[^:]+):\s*(\S+)\s*$/;
const ANON_TARGET = /^(?:\.\.\s+__:|__)\s*(\S+)\s*$/;
const BULLET = /^([*+-])\s+(.*)$/;

interface RawBlock {
  kind: 'paragraph' | 'bullets';
  /** For a paragraph: one entry of lines. For bullets: one entry of lines per item. */
  parts: string[][];
  line: number;
}

interface RawSection {
  title: string;
  style: string;
  blocks: RawBlock[];
}

/** Parses the guide's RST into sections with resolved links. */
export function parseRst(source: string, options: RstOptions): RstDocument {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const problems: RstProblem[] = [];
  const named = new Map<string, string>();
  const anonymous: string[] = [];
  const sections: RawSection[] = [];
  const styles: string[] = [];
  let current: RawSection | undefined;

  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const next = lines[i + 1];
    if (line.trim() === '') {
      i++;
      continue;
    }
    // A title: a text line underlined by a run of one punctuation character at least as long.
    if (next !== undefined && ADORNMENT.test(next) && !ADORNMENT.test(line) && next.trim().length >= line.trim().length) {
      const style = next.trim()[0]!;
      if (!styles.includes(style)) styles.push(style);
      current = { title: line.trim(), style, blocks: [] };
      sections.push(current);
      i += 2;
      continue;
    }
    if (EXPLICIT.test(line) || line.startsWith('__ ')) {
      const nt = NAMED_TARGET.exec(line);
      const at = ANON_TARGET.exec(line);
      if (at) anonymous.push(at[1]!);
      else if (nt) named.set(normalizeName(nt[1]!.replace(/^`|`$/g, '')), nt[2]!);
      else problems.push({ line: i + 1, message: `unsupported directive or comment: ${line.trim()}` });
      i++;
      while (i < lines.length && lines[i]!.trim() !== '' && /^\s/.test(lines[i]!)) i++;
      continue;
    }
    if (!current) {
      problems.push({ line: i + 1, message: 'text before the first title' });
      current = { title: '', style: '', blocks: [] };
      sections.push(current);
    }
    const bullet = BULLET.exec(line);
    if (bullet) {
      const block: RawBlock = { kind: 'bullets', parts: [], line: i + 1 };
      // Items separated by blank lines still form one list as long as the next non-blank line is a bullet.
      while (i < lines.length) {
        const b = BULLET.exec(lines[i]!);
        if (!b || b[1] !== bullet[1]) break;
        const indent = lines[i]!.length - b[2]!.length;
        const item = [b[2]!];
        i++;
        while (i < lines.length && lines[i]!.trim() !== '' && lines[i]!.length - lines[i]!.trimStart().length >= indent) {
          item.push(lines[i]!.trim());
          i++;
        }
        block.parts.push(item);
        let j = i;
        while (j < lines.length && lines[j]!.trim() === '') j++;
        if (j < lines.length && BULLET.exec(lines[j]!)?.[1] === bullet[1]) i = j;
        else break;
      }
      current.blocks.push(block);
      continue;
    }
    const para: string[] = [];
    const start = i;
    while (i < lines.length && lines[i]!.trim() !== '' && !(i > start && (EXPLICIT.test(lines[i]!) || ADORNMENT.test(lines[i + 1] ?? '')))) {
      para.push(lines[i]!.trim());
      i++;
    }
    current.blocks.push({ kind: 'paragraph', parts: [para], line: start + 1 });
  }

  const ids = new Map<string, string>();
  for (const s of sections) ids.set(normalizeName(s.title), sectionId(s.title));
  let anonIndex = 0;
  const resolver: Resolver = {
    named(name) {
      const key = normalizeName(name);
      const url = named.get(key);
      if (url) return url;
      const id = ids.get(key);
      return id === undefined ? undefined : options.sectionUrl(id);
    },
    anonymous() {
      return anonymous[anonIndex++];
    },
    doc: options.docUrl,
    problem(message, line) {
      problems.push({ line, message });
    },
  };

  const result = sections.map((s): RstSection => {
    const blocks: Block[] = s.blocks.map((b) =>
      b.kind === 'paragraph'
        ? { k: 'paragraph', inlines: parseInline(b.parts[0]!.join('\n'), resolver, b.line) }
        : { k: 'bullets', items: b.parts.map((item) => parseInline(item.join('\n'), resolver, b.line)) },
    );
    const links: RstLink[] = [];
    const collect = (xs: Inline[]) => xs.forEach((x) => x.k === 'link' && links.push({ text: x.text, url: x.url }));
    for (const b of blocks) (b.k === 'paragraph' ? [b.inlines] : b.items).forEach(collect);
    return { title: s.title, id: sectionId(s.title), level: styles.indexOf(s.style) + 1, blocks, links };
  });
  if (anonIndex !== anonymous.length) {
    problems.push({ line: 0, message: `${anonymous.length} anonymous targets but ${anonIndex} anonymous references` });
  }
  return { sections: result, problems };
}

interface Resolver {
  named(name: string): string | undefined;
  anonymous(): string | undefined;
  doc(target: string): string;
  problem(message: string, line: number): void;
}

// Inline markup, tried in this order at each candidate position.
const INLINE =
  /``([^`]+?)``|:doc:`([^`<]*?)\s*(?:<([^`>]+)>)?`|`([^`<]+?)(?:\s*<([^`>]+)>)?`(__?)|\*\*([^*]+?)\*\*|\*([^*\s][^*]*?)\*|(?<![\w])_([A-Za-z0-9][\w.+-]*?)_(?![\w])|\b([A-Za-z0-9]+(?:[-.+:][A-Za-z0-9]+)*)(__?)(?![\w])|---/g;

/** Docutils' rule: inline markup starts at the text start, after whitespace or after opening punctuation. */
function canStart(text: string, index: number): boolean {
  return index === 0 || /[\s'"([{<\-/:]/.test(text[index - 1]!);
}

function parseInline(text: string, r: Resolver, line: number): Inline[] {
  const out: Inline[] = [];
  const pushText = (t: string) => {
    if (!t) return;
    const last = out[out.length - 1];
    if (last?.k === 'text') last.text += t;
    else out.push({ k: 'text', text: t });
  };
  let pos = 0;
  INLINE.lastIndex = 0;
  for (let m = INLINE.exec(text); m; m = INLINE.exec(text)) {
    const at = m.index;
    // `---` is typography, not markup; everything else must start where docutils allows markup.
    if (m[0] !== '---' && !canStart(text, at)) {
      INLINE.lastIndex = at + 1;
      continue;
    }
    pushText(text.slice(pos, at));
    pos = at + m[0].length;
    if (m[1] !== undefined) out.push({ k: 'literal', text: m[1].replace(/\s*\n\s*/g, ' ') });
    else if (m[0].startsWith(':doc:')) {
      const target = m[3] ?? m[2]!;
      out.push({ k: 'link', text: m[3] !== undefined ? m[2]! : target, url: r.doc(target.trim()) });
    } else if (m[4] !== undefined) {
      const label = m[4];
      const url = m[5] ?? (m[6] === '__' ? r.anonymous() : r.named(label));
      if (url) out.push({ k: 'link', text: label, url });
      else {
        r.problem(`unresolved reference \`${label}\``, line);
        pushText(label);
      }
    } else if (m[7] !== undefined) out.push({ k: 'strong', text: m[7] });
    else if (m[8] !== undefined) out.push({ k: 'emphasis', text: m[8] });
    // `_cppyy_`: docutils prints it verbatim, but the author means a highlighted name; render it emphasised.
    else if (m[9] !== undefined) out.push({ k: 'emphasis', text: m[9] });
    else if (m[10] !== undefined) {
      const url = m[11] === '__' ? r.anonymous() : r.named(m[10]);
      if (url) out.push({ k: 'link', text: m[10], url });
      else {
        r.problem(`unresolved reference ${m[10]}${m[11]}`, line);
        pushText(m[10]);
      }
    } else pushText('\u2014'); // `---`, as Sphinx's smart quotes print it
  }
  pushText(text.slice(pos));
  return out;
}
