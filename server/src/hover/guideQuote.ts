/**
 * Hover text that quotes PyPy's guide: a section (or one paragraph of it) word for word as a block quote,
 * named, ranked among the four ways the introduction lists, linked and attributed.
 */
import { loadGuide, rankingLine, type Guide, type GuideSection } from '../guide/guide';
import { blockQuote, escapeMarkdown } from '../guide/markdown';

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

/** Words that say nothing about a topic, left out when matching a sentence to what a rule says. */
const STOP = new Set('the a an and or of to in on is are be it its as at by for with from that this not but can than more most any all into use used using which when there their they them also so such very just only these those was were has have had does do'.split(' '));

function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []).filter((w) => w.length > 1 && !STOP.has(w)).map((w) => w.replace(/'s$|s$/, ''));
}

/** The sentences of a plain paragraph (the guide writes `x.  Y` and `x. Y` alike). */
export function sentences(text: string): string[] {
  return text.replace(/\s+/g, ' ').trim().split(/(?<=[.!?])\s+(?=[A-Z_(])/).filter(Boolean);
}

/** How much of `sentence`'s vocabulary `about` uses (0..1); `weight` lets rare words count more. */
export function overlap(sentence: string, about: string, weight: (w: string) => number = () => 1): number {
  const mine = new Set(words(sentence));
  if (mine.size === 0) return 0;
  const theirs = new Set(words(about));
  let n = 0;
  let total = 0;
  for (const w of mine) {
    const k = weight(w);
    total += k;
    if (theirs.has(w)) n += k;
  }
  return n / total;
}

const rarity = new WeakMap<Guide, Map<string, number>>();

/** 1 / (1 + the number of guide sentences using the word): `ctypes` or `PyPy` say less than `_rawffi`. */
function rareWords(guide: Guide): (w: string) => number {
  let df = rarity.get(guide);
  if (!df) {
    df = new Map();
    for (const section of [guide.intro, ...guide.sections]) {
      for (const text of section.blockTexts) for (const s of sentences(text)) for (const w of new Set(words(s))) df.set(w, (df.get(w) ?? 0) + 1);
    }
    rarity.set(guide, df);
  }
  const counts = df;
  return (w) => 1 / (1 + (counts.get(w) ?? 0));
}

function sectionOf(ref: GuideRef, guide: Guide): GuideSection | undefined {
  return ref === 'intro' ? guide.intro : guide.section(ref === 'rawffi' ? 'ctypes' : ref);
}

/** The one paragraph of a section a hover quotes: the `_rawffi` one for `rawffi`, else the first. */
function paragraphIndex(ref: GuideRef, section: GuideSection): number {
  if (ref === 'rawffi') return Math.max(0, section.blockTexts.findIndex((t) => t.includes('_rawffi')));
  return 0;
}

const quotes = new WeakMap<Guide, Map<GuideRef, string | undefined>>();

/**
 * The Markdown quoting the relevant paragraph of one part of the guide, named, ranked, and linked to the
 * full section; undefined if the guide lacks it.
 */
export function quoteGuide(ref: GuideRef, guide: Guide = loadGuide()): string | undefined {
  let cache = quotes.get(guide);
  if (!cache) quotes.set(guide, (cache = new Map()));
  if (!cache.has(ref)) cache.set(ref, renderQuote(ref, guide));
  return cache.get(ref);
}

function renderQuote(ref: GuideRef, guide: Guide): string | undefined {
  const section = sectionOf(ref, guide);
  if (!section) return undefined;
  const index = paragraphIndex(ref, section);
  const body = ref === 'intro' ? section.markdown : section.blocks[index];
  if (!body) return undefined;
  const rank = ref === 'intro' ? undefined : rankingLine(guide, section.id);
  const title = ref === 'intro' ? `${guide.title} — the introduction` : section.title;
  const heading =
    ref === 'rawffi'
      ? `**${section.title}**, on \`_rawffi\` and \`_rawffi.alt\`${rank ? ` — the layer under ctypes, which is ${rank}` : ''}`
      : `**${title}**${rank ? ` — ${rank}` : ''}`;
  const more = section.blocks.length > 1 && ref !== 'intro' ? 'the full section' : section.title;
  return `${heading}\n\n${blockQuote(body)}\n\n— ${ATTRIBUTION}, *${guide.title}*: [${more}](${section.url})`;
}

/**
 * The one sentence of a guide section that bears most on `about` (a rule's explanation), quoted and
 * linked; undefined when no sentence shares its vocabulary.
 */
export function quoteSentence(ref: GuideRef, about: string, guide: Guide = loadGuide()): string | undefined {
  const section = sectionOf(ref, guide);
  if (!section) return undefined;
  const weight = rareWords(guide);
  let best: { s: string; score: number } | undefined;
  for (const text of section.blockTexts) {
    for (const s of sentences(text)) {
      if (s.split(' ').length < 5) continue; // "See the documentation here." says nothing alone
      const score = overlap(s, about, weight);
      if (score > (best?.score ?? 0)) best = { s, score };
    }
  }
  if (!best) return undefined;
  const name = ref === 'intro' ? guide.title : section.title;
  return `> ${escapeMarkdown(best.s)}\n\n— ${ATTRIBUTION}, [${name}](${section.url})`;
}
