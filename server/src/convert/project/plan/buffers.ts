/**
 * Stage B, string buffers: `create_string_buffer(…)` → a bytearray (`_char_array` when returned to the caller,
 * keeping `.raw`/`.value`).
 */
import type { Node } from 'web-tree-sitter';
import { callParts } from '../../syntax';
import { assignedName, isTarget } from './syntax';
import type { ModulePlanner, Rewrite } from './planner';
import { foreignParam, untypedArg, variadicArg } from './callees';
import { usesOf } from './values';

const FILE_METHODS_TAKING_BUFFERS = new Set(['readinto', 'readinto1', 'recv_into', 'write', 'send', 'sendall']);

export function planBuffer(pl: ModulePlanner, n: Node, args: Node[]): void {
  const fp = foreignParam(pl, n);
  let escapes = false;
  const rewriteCall = (): void => {
    // a buffer returned to the caller keeps ctypes' .raw and .value (a bytearray subclass)
    pl.plan.helpers.add(escapes ? 'charArray' : 'stringBuffer');
    pl.plan.converted.buffers++;
    pl.rewrite(n, (inner) => `${escapes ? '_char_array' : '_string_buffer'}(${args.map((a) => inner(a)).join(', ')})`);
  };
  if (fp || variadicArg(pl, n)) return rewriteCall();
  const target = assignedName(n);
  const uses = target ? usesOf(pl, target) : undefined;
  if (!target || !uses) return pl.refuse(n, 'a create_string_buffer(…) the plan cannot follow');
  const rewrites: [Node, Rewrite][] = [];
  for (const u of uses) {
    const p = u.parent!;
    if (p.type === 'attribute') {
      const which = p.childForFieldName('attribute')!.text;
      const isRead = !isTarget(p);
      if (which === 'raw' && isRead) {
        rewrites.push([p, () => `bytes(${target.text})`]);
        continue;
      }
      if (which === 'value' && isRead) {
        rewrites.push([p, () => `bytes(${target.text}).split(b"\\0", 1)[0]`]);
        continue;
      }
      return pl.refuse(p, `${target.text}.${which} on a string buffer: not rewritten by this plan`);
    }
    if (p.type === 'return_statement') {
      escapes = true;
      continue;
    }
    if (p.type === 'argument_list') {
      const call = callParts(p.parent!)!;
      const m = pl.ctypes(call.callee);
      if (m === 'cast' || foreignParam(pl, u) || variadicArg(pl, u)) continue;
      if (m === 'sizeof' && call.args.length === 1 && !call.keywords.size && !call.splat) {
        // a char buffer's size is its length
        rewrites.push([p.parent!, () => `len(${target.text})`]);
        continue;
      }
      if (m === 'byref' && untypedArg(pl, p.parent!)) continue;
      if (['len', 'bytes', 'memoryview'].includes(call.callee.text)) continue;
      if (call.callee.type === 'attribute' && FILE_METHODS_TAKING_BUFFERS.has(call.callee.childForFieldName('attribute')!.text)) continue;
    }
    return pl.refuse(u, `${target.text} (a ctypes string buffer) is used here in a way the plan does not rewrite`);
  }
  for (const [node, r] of rewrites) pl.rewrite(node, r);
  rewriteCall();
}
