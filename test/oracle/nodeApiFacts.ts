/**
 * The oracle of server/src/analysis/regionFacts.ts: the region facts read through web-tree-sitter's node API
 * (node objects, field lookups, `.text`), written the plain way the fast flat-tree extractor must agree with.
 * test/unit/flatTree.test.ts compares the two on generated, real and broken files.
 */
import type { Node } from 'web-tree-sitter';
import type { Region } from '../../server/src/documents/parsedDocument';
import type { CallSite, Expr, ImportInfo, Keyword, Span } from '../../server/src/analysis/model';
import { bindingOf, type ClassFact, type RegionFacts } from '../../server/src/analysis/regionFacts';
import { walkTree } from '../../server/src/parser/walk';
import { AnchoredSpan } from '../../server/src/analysis/spans';
import { decodeParts } from '../../server/src/analysis/stringLiteral';

class NodeApiExtractor {
  readonly facts: RegionFacts = { imports: [], assigns: [], calls: [], attrs: [], classes: [] };
  constructor(private readonly region: Region) {}

  span(n: Node): Span {
    return new AnchoredSpan(this.region, n.startIndex, n.endIndex);
  }

  run(root: Node): RegionFacts {
    // only nodes of interesting types are materialised
    walkTree(root, (cursor) => {
      switch (cursor.nodeType) {
        case 'import_statement':
        case 'import_from_statement':
          this.importFact(cursor.currentNode);
          break;
        case 'assignment':
          this.assignFact(cursor.currentNode);
          break;
        case 'call':
          this.callFact(cursor.currentNode);
          break;
        case 'attribute':
          this.attrFact(cursor.currentNode);
          break;
        case 'class_definition':
          this.classFact(cursor.currentNode);
          break;
      }
    });
    return this.facts;
  }

  importFact(n: Node): void {
    if (n.type === 'import_statement') {
      for (const child of n.namedChildren) {
        if (!child) continue;
        const nameNode = child.type === 'aliased_import' ? child.childForFieldName('name') : child;
        const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : undefined;
        if (!nameNode) continue;
        const module = nameNode.text;
        this.facts.imports.push({
          module,
          binding: bindingOf(module),
          span: this.span(n),
          moduleSpan: this.span(nameNode),
          boundName: alias ?? module.split('.')[0],
          names: [],
          star: false,
        });
      }
      return;
    }
    const moduleNode = n.childForFieldName('module_name');
    if (!moduleNode) return;
    const module = moduleNode.text;
    const info: ImportInfo = { module, binding: bindingOf(module), span: this.span(n), moduleSpan: this.span(moduleNode), names: [], star: false };
    for (const child of n.childrenForFieldName('name')) {
      if (!child) continue;
      if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name');
        const alias = child.childForFieldName('alias');
        if (name) info.names.push({ name: name.text, asName: alias?.text ?? name.text, span: this.span(child) });
      } else {
        info.names.push({ name: child.text, asName: child.text, span: this.span(child) });
      }
    }
    if (n.namedChildren.some((c) => c?.type === 'wildcard_import')) info.star = true;
    this.facts.imports.push(info);
  }

  assignFact(n: Node): void {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!left || !right) return;
    const stmt = n.parent?.type === 'expression_statement' ? n.parent : n;
    this.facts.assigns.push({ target: this.expr(left), value: this.expr(right), statementSpan: this.span(stmt) });
  }

  callSite(n: Node): CallSite | undefined {
    const fn = n.childForFieldName('function');
    const argsNode = n.childForFieldName('arguments');
    if (!fn || !argsNode) return undefined;
    const args: Expr[] = [];
    const keywords: Keyword[] = [];
    if (argsNode.type === 'argument_list') {
      for (const a of argsNode.namedChildren) {
        if (!a || a.type === 'comment') continue;
        if (a.type === 'keyword_argument') {
          const name = a.childForFieldName('name');
          const value = a.childForFieldName('value');
          if (name && value) keywords.push({ name: name.text, nameSpan: this.span(name), value: this.expr(value) });
        } else {
          args.push(this.expr(a));
        }
      }
    } else {
      args.push(this.expr(argsNode)); // generator expression argument
    }
    let parent = n.parent;
    while (parent && parent.type === 'parenthesized_expression') parent = parent.parent;
    const resultUsed = !(parent && parent.type === 'expression_statement');
    return { span: this.span(n), calleeSpan: this.span(fn), args, keywords, resultUsed };
  }

  callFact(n: Node): void {
    const call = this.callSite(n);
    const fn = n.childForFieldName('function');
    if (!call || !fn) return;
    const calleeExpr = this.expr(fn, 2);
    const callee = calleeExpr.k === 'name' || calleeExpr.k === 'dotted' ? calleeExpr.text : '';
    this.facts.calls.push({ callee, calleeExpr, call });
  }

  attrFact(n: Node): void {
    const obj = n.childForFieldName('object');
    const attr = n.childForFieldName('attribute');
    if (!obj || !attr || !isDotted(obj)) return;
    this.facts.attrs.push({ object: obj.text, attr: attr.text, span: this.span(n), attrSpan: this.span(attr) });
  }

  classFact(n: Node): void {
    const name = n.childForFieldName('name');
    const body = n.childForFieldName('body');
    if (!name || !body) return;
    const bases: string[] = [];
    const supers = n.childForFieldName('superclasses');
    for (const b of supers?.namedChildren ?? []) if (b && isDotted(b)) bases.push(b.text);
    const fact: ClassFact = { name: name.text, nameSpan: this.span(name), span: this.span(n), bases, assigns: [], hasBehaviour: false };
    for (const stmt of body.namedChildren) {
      if (!stmt || stmt.type === 'comment' || stmt.type === 'pass_statement') continue;
      const inner = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
      if (inner?.type === 'assignment') {
        const l = inner.childForFieldName('left');
        const r = inner.childForFieldName('right');
        if (l?.type === 'identifier' && r) {
          fact.assigns.push({ name: l.text, nameSpan: this.span(l), value: this.expr(r), statementSpan: this.span(stmt) });
          continue;
        }
      }
      if (inner?.type === 'string' && stmt === body.namedChildren[0]) continue; // docstring
      fact.hasBehaviour = true;
    }
    this.facts.classes.push(fact);
  }

  /** Summarises an expression; `depth` bounds recursion into nested calls and containers. */
  expr(n: Node, depth = 6): Expr {
    const span = this.span(n);
    const text = n.text;
    switch (n.type) {
      case 'identifier':
        return { k: 'name', span, text };
      case 'attribute': {
        const obj = n.childForFieldName('object');
        const attr = n.childForFieldName('attribute');
        if (!obj || !attr) break;
        const object = this.expr(obj, depth - 1);
        const dotted = object.k === 'name' || object.k === 'dotted';
        return { k: dotted ? 'dotted' : 'attr', span, text, object, attr: attr.text, attrSpan: this.span(attr) };
      }
      case 'call': {
        if (depth <= 0) break;
        const fn = n.childForFieldName('function');
        const site = this.callSite(n);
        if (!fn || !site) break;
        return { k: 'call', span, text, callee: this.expr(fn, depth - 1), args: depth > 1 ? site.args : [], keywords: site.keywords };
      }
      case 'binary_operator': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        const op = n.childForFieldName('operator');
        if (!l || !r || !op) break;
        return { k: 'binop', span, text, op: op.text, left: this.expr(l, depth - 1), right: this.expr(r, depth - 1) };
      }
      case 'list':
      case 'tuple':
      case 'expression_list': {
        const items: Expr[] = [];
        if (depth > 0) for (const c of n.namedChildren) if (c && c.type !== 'comment') items.push(this.expr(c, depth - 1));
        return { k: n.type === 'list' ? 'list' : 'tuple', span, text, items };
      }
      case 'parenthesized_expression': {
        const inner = n.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.expr(inner, depth) : { k: 'other', span, text, type: n.type };
      }
      case 'string':
      case 'concatenated_string': {
        const parts = n.type === 'string' ? [n] : n.namedChildren.filter((c): c is Node => !!c && c.type === 'string');
        const decoded = decodeParts(parts.map((p) => ({ text: p.text, start: p.startIndex })));
        const bytes = /^[rRuUfF]*[bB]/.test(parts[0]?.text ?? '');
        return { k: 'str', span, text, value: decoded.value, bytes, parts: parts.map((p) => this.span(p)) };
      }
      case 'integer':
      case 'float': {
        const value = Number(text.replace(/_/g, ''));
        return { k: 'num', span, text, value: Number.isNaN(value) ? parseInt(text, 0) : value };
      }
      case 'unary_operator': {
        const value = Number(text.replace(/[\s_]/g, ''));
        if (!Number.isNaN(value)) return { k: 'num', span, text, value };
        break;
      }
      case 'none':
        return { k: 'none', span, text };
      case 'true':
        return { k: 'true', span, text };
      case 'false':
        return { k: 'false', span, text };
      case 'subscript': {
        const value = n.childForFieldName('value');
        const index = n.childForFieldName('subscript');
        if (!value || !index) break;
        return { k: 'subscript', span, text, value: this.expr(value, depth - 1), index: this.expr(index, depth - 1) };
      }
    }
    return { k: 'other', span, text, type: n.type };
  }
}

function isDotted(n: Node): boolean {
  if (n.type === 'identifier') return true;
  if (n.type !== 'attribute') return false;
  const obj = n.childForFieldName('object');
  return !!obj && isDotted(obj);
}


export function nodeApiFacts(region: Region): RegionFacts {
  return new NodeApiExtractor(region).run(region.tree.rootNode);
}
