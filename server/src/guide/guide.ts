/**
 * PyPy's guide "Writing extension modules for pypy", shipped as data (server/data/guide/extending.rst),
 * parsed once per process and served as Markdown sections with their doc.pypy.org links.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseRst, type Inline, type RstDocument, type RstSection } from './rst';
import { renderBlock, renderSection } from './markdown';

export const GUIDE_PAGE = 'https://doc.pypy.org/en/latest/extending.html';
export const GUIDE_DOCS_ROOT = 'https://doc.pypy.org/en/latest/';

/** The binding styles the guide's introduction ranks, by the id of the section describing each. */
export type GuideSectionId = 'cffi' | 'ctypes' | 'cppyy' | 'rpython-mixed-modules';

export interface GuideSection {
  id: string;
  title: string;
  url: string;
  /** The section body as Markdown, word for word. */
  markdown: string;
  /** Each block (paragraph or list) as Markdown, for quoting one paragraph. */
  blocks: string[];
  /** The raw text of each block (no markup), to find a paragraph by what it says. */
  blockTexts: string[];
}

export interface RankedStyle {
  sectionId: string;
  /** 1-based place in the introduction's list. */
  place: number;
  /** The list item, as Markdown. */
  item: string;
}

export interface Guide {
  title: string;
  url: string;
  /** The document's own introduction (the text under the main title). */
  intro: GuideSection;
  sections: GuideSection[];
  /** The introduction's ordered list of ways to write extension modules. */
  ranking: RankedStyle[];
  /** How the introduction says the list is ordered, e.g. "from most directly useful to most messy to use with PyPy". */
  rankingOrder: string;
  section(id: string): GuideSection | undefined;
}

/** Candidate locations of the data file: beside the bundle (dist/), then from tsx (src) and tsc (out) layouts. */
export function guideFileCandidates(dir = __dirname): string[] {
  return [
    path.join(dir, 'data', 'guide', 'extending.rst'),
    path.join(dir, '..', '..', 'data', 'guide', 'extending.rst'),
    path.join(dir, '..', '..', '..', '..', 'server', 'data', 'guide', 'extending.rst'),
  ];
}

export function locateGuide(dir = __dirname): string {
  const found = guideFileCandidates(dir).find((p) => fs.existsSync(p));
  if (!found) throw new Error(`pypy-bindings: cannot find data/guide/extending.rst near ${dir}`);
  return found;
}

function plain(inlines: readonly Inline[]): string {
  return inlines.map((x) => x.text).join('');
}

/** Builds the guide model from RST text. */
export function buildGuide(source: string): Guide {
  const doc: RstDocument = parseRst(source, {
    sectionUrl: (id) => `${GUIDE_PAGE}#${id}`,
    docUrl: (target) => `${GUIDE_DOCS_ROOT}${target}.html`,
  });
  const toSection = (s: RstSection, url: string): GuideSection => ({
    id: s.id,
    title: s.title,
    url,
    markdown: renderSection(s),
    blocks: s.blocks.map(renderBlock),
    blockTexts: s.blocks.map((b) => (b.k === 'paragraph' ? plain(b.inlines) : b.items.map(plain).join('\n'))),
  });
  const [top, ...rest] = doc.sections;
  if (!top) throw new Error('pypy-bindings: the guide has no title');
  const sections = rest.map((s) => toSection(s, `${GUIDE_PAGE}#${s.id}`));
  const intro = toSection(top, GUIDE_PAGE);

  // The ranking is the introduction's bullet list; each item links to the section of its style.
  const ranking: RankedStyle[] = [];
  const list = top.blocks.find((b) => b.k === 'bullets');
  if (list?.k === 'bullets') {
    list.items.forEach((item, index) => {
      const link = item.find((x) => x.k === 'link' && x.url.startsWith(GUIDE_PAGE + '#'));
      if (link?.k === 'link') {
        ranking.push({ sectionId: link.url.slice(GUIDE_PAGE.length + 1), place: index + 1, item: renderBlock({ k: 'bullets', items: [item] }).slice(2) });
      }
    });
  }
  const order = /\((in order, [^)]*)\)/.exec(intro.blockTexts.join(' ').replace(/\s+/g, ' '));
  const byId = new Map(sections.map((s) => [s.id, s]));
  return {
    title: top.title,
    url: GUIDE_PAGE,
    intro,
    sections,
    ranking,
    rankingOrder: order ? order[1]!.replace(/^in order, /, '') : '',
    section: (id) => byId.get(id),
  };
}

let cached: Guide | undefined;

/** The shipped guide, read and parsed on first use. */
export function loadGuide(): Guide {
  cached ??= buildGuide(fs.readFileSync(locateGuide(), 'utf8'));
  return cached;
}

const ORDINALS = ['1st', '2nd', '3rd'];
function ordinal(n: number): string {
  return ORDINALS[n - 1] ?? `${n}th`;
}

/** Our one-line verdict on each style, read with its place in the guide's ranking. */
const VERDICT: Record<GuideSectionId, string> = {
  cffi: 'the recommended way, fast under PyPy’s JIT',
  ctypes: 'works, slower than CFFI on PyPy',
  cppyy: 'for C++, with the JIT removing most cross-language overhead',
  'rpython-mixed-modules': 'internal to PyPy, not usable by 3rd-party modules',
};

/** "2nd of 4 ways: works, slower than CFFI on PyPy", from the introduction's list; undefined if not ranked. */
export function rankingLine(guide: Guide, sectionId: string): string | undefined {
  const entry = guide.ranking.find((r) => r.sectionId === sectionId);
  if (!entry) return undefined;
  const verdict = VERDICT[sectionId as GuideSectionId];
  return `${ordinal(entry.place)} of ${guide.ranking.length} ways${verdict ? `: ${verdict}` : ''}`;
}
