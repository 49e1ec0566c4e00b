/** Callbacks: prototypes applied to functions and `@CB` decorators become `ffi.callback`, with their parameters' kinds; only for prototypes the plan converts. */
import type { Node } from 'web-tree-sitter';
import { dotted, keyOf } from '../syntax';
import { type CType, callbackSignature, isPrim } from '../typeNames';
import type { Rewriter } from './rewriter';
import { typeConvertible } from './plan';

/** The name occurs only at its definition and one use. */
export function usedOnce(rw: Rewriter, name: string): boolean {
  return rw.p.input.identifiersNamed(name).length === 2;
}

export function callbackParams(rw: Rewriter, def: Node, args: CType[]): void {
  const params = (def.childForFieldName('parameters')?.namedChildren ?? []).filter((c) => c.type === 'identifier');
  const body = def.childForFieldName('body');
  if (!body || params.length !== args.length) return;
  const lines: string[] = [];
  params.forEach((prm, i) => {
    const t = args[i]!;
    const key = `${keyOf(def)}|${prm.text}`;
    if (isPrim(t, 'c_char_p', 'c_wchar_p')) {
      lines.push(`${prm.text} = _cstring_or_none(${prm.text})`);
      rw.helpers.add('string');
    } else if (isPrim(t, 'c_void_p')) {
      lines.push(`${prm.text} = _address_or_none(${prm.text})`);
      rw.helpers.add('address');
      rw.kinds.set(key, { k: 'addr' });
    } else if (t.k === 'ptr') rw.kinds.set(key, { k: 'ptr', to: t.to, inst: false });
    else if (t.k === 'struct') rw.kinds.set(key, { k: 'sval', type: t });
    else if (isPrim(t, 'c_longdouble')) lines.push(`${prm.text} = float(${prm.text})`);
  });
  if (lines.length && !rw.prologueDefs.has(keyOf(def))) {
    rw.prologueDefs.add(keyOf(def));
    rw.prologues.push({ node: body, text: lines.join('\n') });
  }
}

/** `@CB` / `@ctypes.CFUNCTYPE(...)` on a def: the callback signature. */
export function callbackDecoratorSig(rw: Rewriter, decorated: Node): { text: string; decorator: Node; args: CType[]; proto?: string } | undefined {
  const decos = decorated.namedChildren.filter((c) => c.type === 'decorator');
  if (decos.length !== 1) return undefined;
  const expr = decos[0]!.namedChildren[0];
  if (!expr) return undefined;
  const t = protoType(rw, expr);
  if (!t) return undefined;
  return { text: callbackSignature(t.ret, t.args), decorator: expr, args: t.args, proto: t.proto || undefined };
}

/** A converted prototype name or an inline CFUNCTYPE(...) expression. */
export function protoType(rw: Rewriter, expr: Node): (CType & { k: 'func' }) | undefined {
  const d = dotted(expr);
  if (d && rw.p.prototypes.has(d) && !rw.replaced.has(keyOf(rw.p.prototypes.get(d)!.statement))) return undefined;
  const t = rw.p.typeOf(expr);
  if (t?.k !== 'func' || !typeConvertible(rw, t)) return undefined;
  if (isPrim(t.ret, 'c_char_p', 'c_wchar_p', 'c_void_p')) return undefined;
  return t;
}

export function decoratorRule(rw: Rewriter, n: Node): ((r: Rewriter) => string) | undefined {
  const decorated = n.parent;
  if (decorated?.type !== 'decorated_definition') return undefined;
  const sig = callbackDecoratorSig(rw, decorated);
  if (!sig) return undefined;
  const proto = sig.proto && rw.p.prototypes.has(sig.proto) && dotted(sig.decorator) === sig.proto ? sig.proto : undefined;
  return (r) => `@${r.F}.callback(${proto ?? r.q(sig.text)})`;
}
