/**
 * What VS Code inserts for a snippet body when the user accepts every default: placeholders keep their
 * default text, mirrors copy it, choices take their first option, $0 vanishes, variables resolve.
 * Written from the snippet grammar (code.visualstudio.com/docs/editing/userdefinedsnippets#_grammar),
 * independently of the renderer in server/src/newModule, so it can catch that renderer's escaping bugs.
 */

type Node =
  | { kind: 'text'; value: string }
  | { kind: 'tabstop'; index: number; children: Node[] | undefined }
  | { kind: 'choice'; index: number; options: string[] }
  | { kind: 'variable'; name: string; children: Node[] | undefined };

/** Values for the variables a snippet may use, as if the file were /work/example/example.py. */
const VARIABLES: Record<string, string> = {
  TM_FILENAME: 'example.py',
  TM_FILENAME_BASE: 'example',
  TM_DIRECTORY: '/work/example',
  TM_FILEPATH: '/work/example/example.py',
  RELATIVE_FILEPATH: 'example.py',
  WORKSPACE_NAME: 'example',
  TM_SELECTED_TEXT: '',
  TM_CURRENT_LINE: '',
  TM_CURRENT_WORD: '',
  TM_LINE_INDEX: '0',
  TM_LINE_NUMBER: '1',
  CLIPBOARD: '',
  CURRENT_YEAR: '2026',
  LINE_COMMENT: '#',
  BLOCK_COMMENT_START: '"""',
  BLOCK_COMMENT_END: '"""',
};

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): Node[] {
    const nodes = this.sequence(false);
    if (this.pos < this.src.length) throw this.error('unexpected "}"');
    return nodes;
  }

  private error(message: string): Error {
    return new Error(`snippet syntax: ${message} at offset ${this.pos} in ${JSON.stringify(this.src.slice(this.pos, this.pos + 40))}`);
  }

  /** Text and elements up to the end, or up to an unescaped `}` when inside a placeholder. */
  private sequence(inside: boolean): Node[] {
    const nodes: Node[] = [];
    let text = '';
    const flush = () => {
      if (text) nodes.push({ kind: 'text', value: text });
      text = '';
    };
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c === '\\' && '$}\\'.includes(this.src[this.pos + 1] ?? '')) {
        text += this.src[this.pos + 1];
        this.pos += 2;
      } else if (c === '}' && inside) {
        break;
      } else if (c === '$') {
        const element = this.element();
        if (element) {
          flush();
          nodes.push(element);
        } else {
          text += '$';
          this.pos++;
        }
      } else {
        text += c;
        this.pos++;
      }
    }
    flush();
    return nodes;
  }

  private element(): Node | undefined {
    const rest = this.src.slice(this.pos);
    let m = /^\$(\d+)/.exec(rest);
    if (m) {
      this.pos += m[0].length;
      return { kind: 'tabstop', index: Number(m[1]), children: undefined };
    }
    m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (m) {
      this.pos += m[0].length;
      return { kind: 'variable', name: m[1], children: undefined };
    }
    m = /^\$\{(\d+)(\}|:|\||\/)/.exec(rest) ?? /^\$\{([A-Za-z_][A-Za-z0-9_]*)(\}|:|\/)/.exec(rest);
    if (!m) return undefined;
    const numeric = /^\d/.test(m[1]);
    this.pos += m[0].length;
    const after = m[2];
    if (after === '/') throw this.error('transforms are not supported by this expander');
    if (after === '}') {
      return numeric
        ? { kind: 'tabstop', index: Number(m[1]), children: undefined }
        : { kind: 'variable', name: m[1], children: undefined };
    }
    if (after === '|') {
      const options: string[] = [];
      let option = '';
      while (true) {
        const c = this.src[this.pos];
        if (c === undefined) throw this.error('unterminated choice');
        if (c === '\\' && ',|\\$}'.includes(this.src[this.pos + 1] ?? '')) {
          option += this.src[this.pos + 1];
          this.pos += 2;
        } else if (c === ',') {
          options.push(option);
          option = '';
          this.pos++;
        } else if (c === '|' && this.src[this.pos + 1] === '}') {
          options.push(option);
          this.pos += 2;
          return { kind: 'choice', index: Number(m[1]), options };
        } else {
          option += c;
          this.pos++;
        }
      }
    }
    const children = this.sequence(true);
    if (this.src[this.pos] !== '}') throw this.error('unterminated placeholder');
    this.pos++;
    return numeric ? { kind: 'tabstop', index: Number(m[1]), children } : { kind: 'variable', name: m[1], children };
  }
}

export interface Expansion {
  text: string;
  /** Tab stop numbers seen, $0 included. */
  tabstops: Set<number>;
}

/** Expands a snippet body (the package.json form: one string or an array of lines). */
export function expandSnippet(body: string | string[]): Expansion {
  const source = Array.isArray(body) ? body.join('\n') : body;
  const nodes = new Parser(source).parse();
  const defaults = new Map<number, Node[]>();
  const tabstops = new Set<number>();
  const collect = (list: Node[]) => {
    for (const n of list) {
      if (n.kind === 'tabstop' || n.kind === 'choice') tabstops.add(n.index);
      if (n.kind === 'tabstop' && n.children && !defaults.has(n.index)) defaults.set(n.index, n.children);
      if (n.kind === 'choice' && !defaults.has(n.index)) defaults.set(n.index, [{ kind: 'text', value: n.options[0] }]);
      if ((n.kind === 'tabstop' || n.kind === 'variable') && n.children) collect(n.children);
    }
  };
  collect(nodes);
  const render = (list: Node[], depth: number): string => {
    if (depth > 20) throw new Error('snippet placeholders refer to each other in a cycle');
    return list
      .map((n) => {
        switch (n.kind) {
          case 'text':
            return n.value;
          case 'tabstop':
          case 'choice': {
            if (n.index === 0) return n.kind === 'tabstop' && n.children ? render(n.children, depth + 1) : '';
            const d = defaults.get(n.index);
            return d ? render(d, depth + 1) : '';
          }
          case 'variable':
            if (n.name in VARIABLES) return VARIABLES[n.name];
            if (n.children) return render(n.children, depth + 1);
            throw new Error(`snippet uses unknown variable $${n.name}`);
        }
      })
      .join('');
  };
  return { text: render(nodes, 0), tabstops };
}
