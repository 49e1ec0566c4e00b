/**
 * The oracle of server/src/analysis/workspace/pyir.ts: the lowering to the evaluator's syntax tree as it was
 * written on web-tree-sitter's node API. test/unit/flatTree.test.ts requires the flat-tree lowering to give
 * the same statements on generated, real and broken files.
 */
import type { Node } from 'web-tree-sitter';
import type { Anchor } from '../../server/src/analysis/spans';
import { decodeParts } from '../../server/src/analysis/stringLiteral';
import type { PExpr, PParam, PStmt, TopStmt } from '../../server/src/analysis/workspace/pyir';

const MAX_DEPTH = 40;

class Lowering {
  constructor(private readonly anchor: Anchor) {}

  block(n: Node | null, depth: number): PStmt[] {
    const out: PStmt[] = [];
    if (!n || depth > MAX_DEPTH) return out;
    for (const c of n.namedChildren) if (c) this.stmt(c, out, depth);
    return out;
  }

  stmt(n: Node, out: PStmt[], depth: number): void {
    const s = n.startIndex;
    const e = n.endIndex;
    switch (n.type) {
      case 'import_statement':
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (c.type === 'aliased_import') {
            const name = c.childForFieldName('name');
            if (name) out.push({ t: 'import', module: name.text, asName: c.childForFieldName('alias')?.text, s, e });
          } else out.push({ t: 'import', module: c.text, s, e });
        }
        return;
      case 'import_from_statement':
      case 'future_import_statement': {
        if (n.type === 'future_import_statement') return;
        const m = n.childForFieldName('module_name');
        if (!m) return;
        let level = 0;
        let module = m.text;
        if (m.type === 'relative_import') {
          const prefix = m.namedChildren.find((c) => c?.type === 'import_prefix');
          level = prefix ? prefix.text.length : 0;
          module = m.namedChildren.find((c) => c?.type === 'dotted_name')?.text ?? '';
        }
        const names: { name: string; asName: string; s: number; e: number }[] = [];
        for (const c of n.childrenForFieldName('name')) {
          if (!c) continue;
          if (c.type === 'aliased_import') {
            const name = c.childForFieldName('name')?.text;
            if (name) names.push({ name, asName: c.childForFieldName('alias')?.text ?? name, s: c.startIndex, e: c.endIndex });
          } else names.push({ name: c.text, asName: c.text, s: c.startIndex, e: c.endIndex });
        }
        out.push({ t: 'from', module, level, names, star: n.namedChildren.some((c) => c?.type === 'wildcard_import'), s, e });
        return;
      }
      case 'expression_statement': {
        const inner = n.namedChild(0);
        if (!inner) return;
        if (inner.type === 'assignment') {
          const targets: PExpr[] = [];
          let cur: Node | null = inner;
          while (cur && cur.type === 'assignment') {
            const left = cur.childForFieldName('left');
            if (left) targets.push(this.expr(left, depth));
            cur = cur.childForFieldName('right');
          }
          if (cur && targets.length) out.push({ t: 'assign', targets, value: this.expr(cur, depth), s, e });
          return;
        }
        if (inner.type === 'yield') {
          const v = inner.namedChild(0);
          out.push({ t: 'yield', value: v ? this.expr(v, depth) : undefined, s, e });
          return;
        }
        out.push({ t: 'expr', value: this.expr(inner, depth), s, e });
        return;
      }
      case 'decorated_definition': {
        const def = n.childForFieldName('definition');
        if (def) this.stmt(def, out, depth);
        return;
      }
      case 'function_definition': {
        const name = n.childForFieldName('name')?.text;
        if (!name) return;
        const params: PParam[] = [];
        for (const p of n.childForFieldName('parameters')?.namedChildren ?? []) {
          if (!p) continue;
          if (p.type === 'identifier') params.push({ name: p.text, kind: 'pos' });
          else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
            const pn = p.childForFieldName('name');
            const v = p.childForFieldName('value');
            if (pn) params.push({ name: pn.text, kind: 'pos', default: v ? this.expr(v, depth) : undefined });
          } else if (p.type === 'typed_parameter') {
            const id = p.namedChildren.find((c) => c?.type === 'identifier');
            const sp = p.namedChildren.find((c) => c?.type === 'list_splat_pattern' || c?.type === 'dictionary_splat_pattern');
            if (sp) params.push({ name: sp.namedChild(0)?.text ?? '', kind: sp.type === 'list_splat_pattern' ? 'star' : 'dstar' });
            else if (id) params.push({ name: id.text, kind: 'pos' });
          } else if (p.type === 'list_splat_pattern') params.push({ name: p.namedChild(0)?.text ?? '', kind: 'star' });
          else if (p.type === 'dictionary_splat_pattern') params.push({ name: p.namedChild(0)?.text ?? '', kind: 'dstar' });
        }
        const body = n.childForFieldName('body');
        const text = body?.text ?? '';
        out.push({ t: 'def', name, params, body: this.block(body, depth + 1), generator: /\byield\b/.test(text), anchor: this.anchor, s, e });
        return;
      }
      case 'class_definition': {
        const name = n.childForFieldName('name')?.text;
        if (!name) return;
        const bases: PExpr[] = [];
        for (const b of n.childForFieldName('superclasses')?.namedChildren ?? []) if (b && b.type !== 'keyword_argument') bases.push(this.expr(b, depth));
        out.push({ t: 'class', name, bases, body: this.block(n.childForFieldName('body'), depth + 1), anchor: this.anchor, s, e });
        return;
      }
      case 'for_statement': {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (!left || !right) return;
        const orelse = n.childForFieldName('alternative');
        out.push({ t: 'for', target: this.expr(left, depth), iter: this.expr(right, depth), body: this.block(n.childForFieldName('body'), depth + 1), orelse: this.block(orelse?.childForFieldName('body') ?? null, depth + 1), s, e });
        return;
      }
      case 'if_statement': {
        const blocks: PStmt[][] = [this.block(n.childForFieldName('consequence'), depth + 1)];
        for (const alt of n.childrenForFieldName('alternative')) {
          if (!alt) continue;
          blocks.push(this.block(alt.childForFieldName('consequence') ?? alt.childForFieldName('body'), depth + 1));
        }
        out.push({ t: 'branches', blocks, s, e });
        return;
      }
      case 'try_statement': {
        const blocks: PStmt[][] = [this.block(n.childForFieldName('body'), depth + 1)];
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (c.type === 'except_clause' || c.type === 'except_group_clause') {
            const body = c.namedChildren.find((x) => x?.type === 'block') ?? null;
            blocks.push(this.block(body, depth + 1));
          } else if (c.type === 'else_clause' || c.type === 'finally_clause') {
            blocks.push(this.block(c.childForFieldName('body') ?? c.namedChildren.find((x) => x?.type === 'block') ?? null, depth + 1));
          }
        }
        // the body, a handler and else/finally all run in some execution: read in order, as one block each
        out.push({ t: 'branches', blocks, s, e });
        return;
      }
      case 'with_statement':
      case 'while_statement': {
        out.push({ t: 'branches', blocks: [this.block(n.childForFieldName('body'), depth + 1)], s, e });
        return;
      }
      case 'return_statement': {
        const v = n.namedChild(0);
        out.push({ t: 'return', value: v ? this.expr(v, depth) : undefined, s, e });
        return;
      }
      case 'global_statement':
        out.push({ t: 'global', names: n.namedChildren.flatMap((c) => (c?.type === 'identifier' ? [c.text] : [])), s, e });
        return;
    }
  }

  expr(n: Node, depth: number): PExpr {
    const s = n.startIndex;
    const e = n.endIndex;
    if (depth > MAX_DEPTH) return { t: 'other', s, e };
    const d = depth + 1;
    switch (n.type) {
      case 'identifier':
        return { t: 'name', id: n.text, s, e };
      case 'attribute': {
        const obj = n.childForFieldName('object');
        const attr = n.childForFieldName('attribute');
        if (obj && attr) return { t: 'attr', obj: this.expr(obj, d), attr: attr.text, s, e };
        break;
      }
      case 'call': {
        const fn = n.childForFieldName('function');
        const argsNode = n.childForFieldName('arguments');
        if (!fn || !argsNode) break;
        const args: PExpr[] = [];
        const kw: { name: string; value: PExpr }[] = [];
        if (argsNode.type === 'argument_list') {
          for (const a of argsNode.namedChildren) {
            if (!a || a.type === 'comment') continue;
            if (a.type === 'keyword_argument') {
              const name = a.childForFieldName('name');
              const value = a.childForFieldName('value');
              if (name && value) kw.push({ name: name.text, value: this.expr(value, d) });
            } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
              args.push({ t: 'star', value: a.namedChild(0) ? this.expr(a.namedChild(0)!, d) : { t: 'other', s, e }, s: a.startIndex, e: a.endIndex });
            } else args.push(this.expr(a, d));
          }
        }
        return { t: 'call', fn: this.expr(fn, d), args, kw, s, e };
      }
      case 'subscript': {
        const value = n.childForFieldName('value');
        const index = n.childForFieldName('subscript');
        if (value && index) return { t: 'sub', obj: this.expr(value, d), index: this.expr(index, d), s, e };
        break;
      }
      case 'string':
      case 'concatenated_string': {
        const parts = n.type === 'string' ? [n] : n.namedChildren.filter((c): c is Node => !!c && c.type === 'string');
        if (parts.some((p) => p.namedChildren.some((c) => c?.type === 'interpolation'))) break;
        const decoded = decodeParts(parts.map((p) => ({ text: p.text, start: p.startIndex })));
        return { t: 'str', v: decoded.value, s, e };
      }
      case 'integer':
      case 'float': {
        const v = Number(n.text.replace(/_/g, ''));
        return { t: 'num', v: Number.isNaN(v) ? parseInt(n.text, 0) : v, s, e };
      }
      case 'unary_operator': {
        const v = Number(n.text.replace(/[\s_]/g, ''));
        if (!Number.isNaN(v)) return { t: 'num', v, s, e };
        break;
      }
      case 'none':
        return { t: 'const', v: 'None', s, e };
      case 'true':
        return { t: 'const', v: 'True', s, e };
      case 'false':
        return { t: 'const', v: 'False', s, e };
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern': {
        const items: PExpr[] = [];
        for (const c of n.namedChildren) if (c && c.type !== 'comment') items.push(this.expr(c, d));
        return { t: 'seq', kind: n.type === 'list' || n.type === 'list_pattern' ? 'list' : n.type === 'set' ? 'set' : 'tuple', items, s, e };
      }
      case 'dictionary': {
        const keys: PExpr[] = [];
        const values: PExpr[] = [];
        for (const c of n.namedChildren) {
          if (c?.type !== 'pair') continue;
          const k = c.childForFieldName('key');
          const v = c.childForFieldName('value');
          if (k && v) {
            keys.push(this.expr(k, d));
            values.push(this.expr(v, d));
          }
        }
        return { t: 'dict', keys, values, s, e };
      }
      case 'parenthesized_expression': {
        const inner = n.namedChildren.find((c) => c && c.type !== 'comment');
        if (inner) return this.expr(inner, depth);
        break;
      }
      case 'binary_operator': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        const op = n.childForFieldName('operator');
        if (l && r && op) return { t: 'bin', op: op.text, l: this.expr(l, d), r: this.expr(r, d), s, e };
        break;
      }
      case 'boolean_operator': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        const op = n.childForFieldName('operator')?.text;
        if (l && r && (op === 'or' || op === 'and')) return { t: op, l: this.expr(l, d), r: this.expr(r, d), s, e };
        break;
      }
      case 'conditional_expression': {
        const [body, , orelse] = n.namedChildren;
        if (body && orelse) return { t: 'cond', body: this.expr(body, d), orelse: this.expr(orelse, d), s, e };
        break;
      }
      case 'list_splat':
        if (n.namedChild(0)) return { t: 'star', value: this.expr(n.namedChild(0)!, d), s, e };
        break;
    }
    return { t: 'other', s, e };
  }
}

/** The old lowering of a module tree, through the node API. */
export function nodeApiLowerModule(root: Node, anchor: Anchor): TopStmt[] {
  const l = new Lowering(anchor);
  const out: PStmt[] = [];
  for (const c of root.namedChildren) if (c) l.stmt(c, out, 0);
  return out.map((stmt) => ({ stmt, anchor }));
}
