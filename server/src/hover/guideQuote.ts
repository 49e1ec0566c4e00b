/**
 * Hover text that quotes PyPy's guide: a section (or one paragraph of it) word for word as a block quote,
 * named, ranked among the four ways the introduction lists, linked and attributed.
 */
import { loadGuide, rankingLine, type Guide, type GuideSection } from '../guide/guide';
import { blockQuote } from '../guide/markdown';

/** What a hover can quote: a whole section by id, or the CTypes paragraph about `_rawffi`. */
export type GuideRef = 'intro' | 'cffi' | 'ctypes' | 'cppyy' | 'rpython-mixed-modules' | 'rawffi';

/** Maps the names rules and callers use for sections (ids, titles, `_rawffi`) to a GuideRef. */
export function guideRefFor(name: string): GuideRef | undefined {
  const key = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  switch (key) {
    case 'intro':
    case 'introduction':
    case 'writing-extension-modules-for-pypy':
      return 'intro';
    case 'cffi':
      return 'cffi';
    case 'ctypes':
      return 'ctypes';
    case 'cppyy':
      return 'cppyy';
    case 'rpython-mixed-modules':
    case 'mixed-modules':
    case 'mixedmodule':
      return 'rpython-mixed-modules';
    case 'rawffi':
    case 'rawffi-alt':
    case 'ctypes-rawffi':
      return 'rawffi';
    default:
      return undefined;
  }
}

const ATTRIBUTION = 'PyPy documentation';

function rawffiParagraph(section: GuideSection): string | undefined {
  const index = section.blockTexts.findIndex((t) => t.includes('_rawffi'));
  return index < 0 ? undefined : section.blocks[index];
}

/** The Markdown quoting one part of the guide, or undefined if the guide lacks it. */
const quotes = new WeakMap<Guide, Map<GuideRef, string | undefined>>();

export function quoteGuide(ref: GuideRef, guide: Guide = loadGuide()): string | undefined {
  let cache = quotes.get(guide);
  if (!cache) quotes.set(guide, (cache = new Map()));
  if (!cache.has(ref)) cache.set(ref, renderQuote(ref, guide));
  return cache.get(ref);
}

function renderQuote(ref: GuideRef, guide: Guide): string | undefined {
  if (ref === 'intro') {
    const intro = guide.intro;
    return `**${guide.title}** — the introduction\n\n${blockQuote(intro.markdown)}\n\n— ${ATTRIBUTION}, [*${guide.title}*](${intro.url})`;
  }
  const sectionId = ref === 'rawffi' ? 'ctypes' : ref;
  const section = guide.section(sectionId);
  if (!section) return undefined;
  const body = ref === 'rawffi' ? rawffiParagraph(section) : section.markdown;
  if (!body) return undefined;
  const rank = rankingLine(guide, sectionId);
  const heading =
    ref === 'rawffi'
      ? `**${section.title}**, on \`_rawffi\` and \`_rawffi.alt\`${rank ? ` — the layer under ctypes, which is ${rank}` : ''}`
      : `**${section.title}**${rank ? ` — ${rank}` : ''}`;
  const link = `[${section.title}](${section.url})`;
  return `${heading}\n\n${blockQuote(body)}\n\n— ${ATTRIBUTION}, *${guide.title}*, ${link}`;
}
