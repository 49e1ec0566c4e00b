const SPACE = /\s/;
const NAME_CHAR = /[\w.]/;
const NAME_START = /[A-Za-z_]/;
const isSpace = (text: string, i: number) => text[i] !== '\n' && SPACE.test(text[i]!);

/**
 * The name the expression at `at` is assigned to when the text before it on its line is `name =` (`a.b = f(…)`;
 * the test `/^\s*([A-Za-z_][\w.]*)\s*=\s*$/` on the line's text up to `at`), read backwards from `at`: the regex
 * on the line's prefix made each call on a long line cost the whole line before it.
 */
export function boundName(text: string, at: number): string | undefined {
  let i = at - 1;
  while (i >= 0 && isSpace(text, i)) i--;
  if (text[i] !== '=') return undefined;
  i--;
  while (i >= 0 && isSpace(text, i)) i--;
  const end = i + 1;
  while (i >= 0 && NAME_CHAR.test(text[i]!)) i--;
  const start = i + 1;
  if (start === end || !NAME_START.test(text[start]!)) return undefined;
  for (; i >= 0 && text[i] !== '\n'; i--) if (!SPACE.test(text[i]!)) return undefined;
  return text.slice(start, end);
}
