/**
 * Renders parsed guide sections as Markdown for hovers. Words and line breaks stay as in the source; only the
 * markup changes (``x`` → `x`, *x* stays, references become [text](url)), and Markdown's own syntax is escaped.
 */
import type { Block, Inline, RstSection } from './rst';

/** Escapes text so Markdown shows it literally (including list or heading markers at a line start). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]<>]/g, (c) => '\\' + c)
    .replace(/^(\s*)([#>+-])(?=\s)/gm, '$1\\$2')
    .replace(/^(\s*\d+)([.)])(?=\s)/gm, '$1\\$2');
}

/** A code span that survives backticks inside the code. */
export function codeSpan(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return fence + pad + text + pad + fence;
}

export function renderInlines(inlines: readonly Inline[]): string {
  return inlines
    .map((x) => {
      switch (x.k) {
        case 'text':
          return escapeMarkdown(x.text);
        case 'literal':
          return codeSpan(x.text);
        case 'emphasis':
          return `*${escapeMarkdown(x.text)}*`;
        case 'strong':
          return `**${escapeMarkdown(x.text)}**`;
        case 'link':
          return `[${escapeMarkdown(x.text)}](${x.url.replace(/[()\s]/g, encodeURIComponent)})`;
      }
    })
    .join('');
}

export function renderBlock(block: Block): string {
  if (block.k === 'paragraph') return renderInlines(block.inlines);
  return block.items.map((item) => '- ' + renderInlines(item).replace(/\n/g, '\n  ')).join('\n');
}

/** The body of a section (without its title), blocks separated by blank lines. */
export function renderSection(section: RstSection): string {
  return section.blocks.map(renderBlock).join('\n\n');
}

/** Puts Markdown inside a block quote. */
export function blockQuote(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => (line === '' ? '>' : '> ' + line))
    .join('\n');
}
