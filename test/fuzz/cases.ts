/**
 * The constructs generated programs exercise, one case each (ctypes' documentation and domain-facts.md §4
 * are the source: every row a program may meet). A case returns module-level definitions and a body of
 * statements that print deterministic results (never addresses). C functions go through `ctx.call`, which
 * declares them in the program's declaration style; ctypes names go through `C()`.
 */
import { INT_TYPES } from './catalogue';
import type { Ctx } from './generator';
import { C } from './tokens';
import type { Rng } from './rng';

export interface CaseOut {
  readonly defs?: string[];
  readonly body: string[];
  /** Shapes the body may take (default: any). */
  readonly shapes?: ('module' | 'function' | 'method' | 'loop' | 'try')[];
  /** The exception the `try` shape catches (default: one the body never raises). */
  readonly catches?: string;
}

export interface Case {
  readonly name: string;
  readonly weight?: number;
  gen(ctx: Ctx, r: Rng, id: number): CaseOut;
}

const B = (s: string) => `b${JSON.stringify(s)}`;
const fl = (x: number) => (Number.isInteger(x) ? `${x}.0` : String(x));
const cmpBody = (a: string, b: string, ctype: string, field = '') =>
  [`    x = ${C('cast')}(${a}, ${C('POINTER')}(${ctype}))[0]${field}`, `    y = ${C('cast')}(${b}, ${C('POINTER')}(${ctype}))[0]${field}`, '    return (x > y) - (x < y)'];

/** A comparison callback for qsort/bsearch over `ctype` elements, by decorator or explicit wrapping. */
function comparator(ctx: Ctx, r: Rng, name: string, ctype: string, field = '', descending = false): string[] {
  const proto = ctx.sharedType('CMPFUNC');
  const body = cmpBody('a', 'b', ctype, field);
  if (descending) body[2] = '    return (y > x) - (y < x)';
  if (r.chance(0.5)) return [`@${proto}`, `def ${name}(a, b):`, ...body];
  return [`def _${name}(a, b):`, ...body, `${name} = ${proto}(_${name})`];
}

export const CASES: Case[] = [
  {
    name: 'strings',
    weight: 2,
    gen(ctx, r, id) {
      const w1 = r.word(), w2 = r.word();
      return {
        body: [
          `s${id} = ${B(w1)}`,
          `print(${ctx.call('strlen', [`s${id}`])}, ${ctx.call('strlen', [B('')])})`,
          `print(${ctx.call('strcmp', [B(w1), B(w2)])} < 0, ${ctx.call('strcmp', [B(w1), B(w1)])} == 0)`,
          `print(${ctx.call('strncmp', [B(w1 + 'x'), B(w1 + 'y'), { num: String(w1.length) }])})`,
        ],
      };
    },
  },
  {
    name: 'abs-family',
    gen(ctx, r, id) {
      const a = r.int(-1000, 1000), b = -r.int(2 ** 33, 2 ** 40), c = -r.int(1, 99);
      return {
        body: [`print(${ctx.call('abs', [String(a)])})`, `print(${ctx.call('labs', [{ num: String(b) }])}, ${ctx.call('llabs', [{ num: String(c) }])})`, `v${id} = ${ctx.call('atoi', [B(String(a))])}`, `print(v${id} + 1, ${ctx.call('atol', [B(String(b))])})`],
      };
    },
  },
  {
    name: 'libm-double',
    weight: 2,
    gen(ctx, r, id) {
      const pool: [string, number[]][] = [['sqrt', [r.int(1, 99)]], ['pow', [r.int(2, 5), r.int(0, 9)]], ['floor', [-r.int(1, 9) - 0.5]], ['ceil', [r.int(1, 9) + 0.25]], ['fabs', [-r.int(1, 9) - 0.125]], ['fmod', [r.int(10, 50), r.int(2, 9)]], ['atan2', [1, r.int(1, 4)]], ['hypot', [3, 4]], ['copysign', [2.5, -1]], ['trunc', [-3.75]], ['cbrt', [27]]];
      const lines: string[] = [];
      for (const [f, xs] of r.sample(pool, r.int(2, 4))) lines.push(`print(${JSON.stringify(f)}, repr(${ctx.call(f, xs.map((x) => ({ num: fl(x) })))}))`);
      lines.push(`print(${ctx.call('ldexp', [{ num: '0.75' }, String(r.int(1, 8))])})`);
      if (r.chance(0.5)) lines.push(`print(${ctx.call('lround', [{ num: '2.5' }])}, ${ctx.call('lround', [{ num: '-3.5' }])})`);
      void id;
      return { body: lines };
    },
  },
  {
    name: 'libm-float',
    gen(ctx, r) {
      const x = r.int(2, 50);
      return { body: [`print(${ctx.call('sqrtf', [{ num: fl(x) }])})`, `print(${ctx.call('powf', [{ num: '1.5' }, { num: fl(r.int(1, 4)) }])})`] };
    },
  },
  {
    name: 'out-param-byref',
    weight: 2,
    gen(ctx, r, id) {
      const x = r.pick([8, 12.5, 0.375, 1024, -6]);
      const how = r.pick(['byref', 'pointer']);
      const ref = (v: string) => `${C(how)}(${v})`;
      return {
        body: [
          `e${id} = ${C('c_int')}()`,
          `m${id} = ${ctx.call('frexp', [{ num: fl(x) }, ref(`e${id}`)])}`,
          `print(m${id}, e${id}.value)`,
          `ip${id} = ${C('c_double')}(${r.chance(0.5) ? '' : '0.0'})`,
          `print(${ctx.call('modf', [{ num: '3.75' }, ref(`ip${id}`)])}, ip${id}.value)`,
        ],
      };
    },
  },
  {
    name: 'strtol-end',
    gen(ctx, r, id) {
      const n = r.int(1, 99999), base = r.pick([10, 16, 8]);
      const txt = n.toString(base) + 'zz';
      return {
        body: [
          `end${id} = ${C('c_char_p')}()`,
          `v${id} = ${ctx.call('strtol', [B(txt), `${C('byref')}(end${id})`, String(base)])}`,
          `print(v${id}, end${id}.value)`,
          `print(${ctx.call('strtoul', [B('42'), 'None', '10'])}, ${ctx.call('strtod', [B('2.5e3rest'), 'None'])})`,
        ],
      };
    },
  },
  {
    name: 'snprintf',
    weight: 2,
    gen(ctx, r, id) {
      const parts: [string, string][] = [
        ['%d', String(r.int(-99, 99))],
        ['%ld', `${C('c_long')}(${r.int(2 ** 33, 2 ** 40)})`],
        ['%s', B(r.word())],
        ['%.3f', `${C('c_double')}(${fl(r.int(1, 999) / 8)})`],
        ['%x', String(r.int(0, 65535))],
        ['%c', String(r.int(65, 90))],
        ['%zu', `${C('c_size_t')}(${r.int(0, 9999)})`],
        ['%lld', `${C('c_longlong')}(${-r.int(1, 2 ** 40)})`],
        ['%5d|', `${C('c_int')}(${r.int(0, 999)})`],
      ];
      const chosen = r.sample(parts, r.int(1, 4));
      const fmt = chosen.map(([f]) => f).join(' ');
      const size = r.pick(['64', `${C('sizeof')}(buf${id})`, `len(buf${id})`]);
      const mk = r.pick([`${C('create_string_buffer')}(64)`, `${C('create_string_buffer')}(b"", 64)`, `(${C('c_char')} * 64)()`]);
      const f = r.chance(0.7) ? 'snprintf' : 'sprintf';
      const call = f === 'snprintf' ? ctx.call('snprintf', [`buf${id}`, { num: size }, B(fmt), ...chosen.map(([, v]) => v)]) : ctx.call('sprintf', [`buf${id}`, B(fmt), ...chosen.map(([, v]) => v)]);
      return { body: [`buf${id} = ${mk}`, `n${id} = ${call}`, `print(n${id}, buf${id}.value)`] };
    },
  },
  {
    name: 'sscanf',
    gen(ctx, r, id) {
      const a = r.int(-50, 50), d = r.int(1, 99) / 4, w = r.word();
      return {
        body: [
          `a${id} = ${C('c_int')}()`,
          `d${id} = ${C('c_double')}()`,
          `w${id} = ${C('create_string_buffer')}(16)`,
          `n${id} = ${ctx.call('sscanf', [B(`${a} ${d} ${w}`), B('%d %lf %15s'), `${C('byref')}(a${id})`, `${C('byref')}(d${id})`, `w${id}`])}`,
          `print(n${id}, a${id}.value, d${id}.value, w${id}.value)`,
        ],
      };
    },
  },
  {
    name: 'string-buffers',
    weight: 2,
    gen(ctx, r, id) {
      const w = r.word();
      const mk = r.pick([`${C('create_string_buffer')}(32)`, `${C('create_string_buffer')}(b"init", 32)`, `${C('c_buffer')}(32)`]);
      const lines = [
        `buf${id} = ${mk}`,
        `print(len(buf${id}), ${C('sizeof')}(buf${id}), buf${id}.value)`,
        `r${id} = ${ctx.call('strcpy', [`buf${id}`, B(w)])}`,
        `print(r${id})`,
        `${ctx.call('strcat', [`buf${id}`, B('-tail')])}`,
        `print(buf${id}.value, buf${id}.raw[:12])`,
      ];
      if (r.chance(0.5)) lines.push(`buf${id}.value = ${B('xy')}`, `print(buf${id}.value, buf${id}[0], buf${id}[1:3])`);
      if (r.chance(0.5)) lines.push(`print(${ctx.call('strncpy', [`buf${id}`, B('abcdef'), { num: '3' }])}, bytes(buf${id})[:8])`);
      const s = `${C('create_string_buffer')}(${B(w)})`;
      lines.push(`print(len(${s}), ${s}.raw)`);
      return { body: lines };
    },
  },
  {
    name: 'search-functions',
    gen(ctx, r) {
      const w = r.word();
      return {
        body: [
          `print(${ctx.call('strchr', [B(w), `ord(${JSON.stringify(w[1])})`])})`,
          `print(${ctx.call('strrchr', [B(w + w), `ord(${JSON.stringify(w[0])})`])})`,
          `print(${ctx.call('strstr', [B('hay' + w + 'stack'), B(w.slice(1))])}, ${ctx.call('strstr', [B('abc'), B('zz')])})`,
          `print(${ctx.call('strchr', [B('abc'), 'ord("q")'])} is None)`,
        ],
      };
    },
  },
  {
    name: 'memory-functions',
    weight: 2,
    gen(ctx, r, id) {
      const lines = [
        `mb${id} = ${C('create_string_buffer')}(b"abcdefgh", 12)`,
        `${C('memmove')}(mb${id}, b"XY", 2)`,
        `${C('memset')}(${C('addressof')}(mb${id}) + 4, ord("Z"), 2)`,
        `print(mb${id}.raw, ${C('string_at')}(mb${id}, 6), ${C('string_at')}(${C('addressof')}(mb${id})))`,
      ];
      if (r.chance(0.6)) {
        lines.push(`dst${id} = (${C('c_char')} * 8)()`, `${ctx.call('memcpy', [`dst${id}`, B('12345678'), { num: '5' }])}`, `print(dst${id}.raw, dst${id}.value)`);
        lines.push(`${ctx.call('memset', [`dst${id}`, String(r.int(97, 122)), { num: '3' }])}`, `print(bytes(dst${id}))`);
      }
      if (r.chance(0.5)) lines.push(`print(${ctx.call('memcmp', [B('abc'), B('abd'), { num: '3' }])} < 0, ${ctx.call('memcmp', [B('same'), B('same'), { num: '4' }])})`);
      return { body: lines };
    },
  },
  {
    name: 'qsort-ints',
    weight: 2,
    gen(ctx, r, id) {
      const vals = Array.from({ length: r.int(3, 8) }, () => r.int(-50, 50));
      const size = r.int(vals.length, vals.length + 2);
      const arr = r.pick([`(${C('c_int')} * ${size})(${vals.join(', ')})`, `(${C('c_int')} * ${size})(*${JSON.stringify(vals)})`]);
      return {
        defs: comparator(ctx, r, `cmp_ints${id}`, C('c_int')),
        body: [
          `arr${id} = ${arr}`,
          `${ctx.call('qsort', [`arr${id}`, { num: `len(arr${id})` }, { num: `${C('sizeof')}(${C('c_int')})` }, `cmp_ints${id}`])}`,
          `print(list(arr${id}), arr${id}[0], arr${id}[-1], arr${id}[1:3], len(arr${id}))`,
        ],
      };
    },
  },
  {
    name: 'qsort-structs',
    gen(ctx, r, id) {
      const keys = r.shuffle([3, 1, 4, 1, 5, 9, 2, 6].slice(0, r.int(3, 6)));
      return {
        defs: [
          `class Item${id}(${C('Structure')}):`,
          `    _fields_ = [("key", ${C('c_int')}), ("name", ${C('c_char')} * 8)]`,
          '',
          ...comparator(ctx, r, `cmp_items${id}`, `Item${id}`, '.key', r.chance(0.3)),
        ],
        body: [
          `items${id} = (Item${id} * ${keys.length})(${keys.map((k) => `Item${id}(${k}, ${B('n' + k)})`).join(', ')})`,
          `${ctx.call('qsort', [`items${id}`, { num: String(keys.length) }, { num: `${C('sizeof')}(Item${id})` }, `cmp_items${id}`])}`,
          `print([(it.key, it.name) for it in items${id}])`,
        ],
      };
    },
  },
  {
    name: 'bsearch',
    gen(ctx, r, id) {
      const vals = [2, 3, 5, 7, 11, 13, 17];
      const k = r.pick(vals);
      return {
        defs: comparator(ctx, r, `cmp_b${id}`, C('c_int')),
        body: [
          `sorted${id} = (${C('c_int')} * 7)(${vals.join(', ')})`,
          `key${id} = ${C('c_int')}(${k})`,
          `hit${id} = ${ctx.call('bsearch', [`${C('byref')}(key${id})`, `sorted${id}`, { num: '7' }, { num: `${C('sizeof')}(${C('c_int')})` }, `cmp_b${id}`])}`,
          `print(hit${id} is not None, ${C('cast')}(hit${id}, ${C('POINTER')}(${C('c_int')}))[0])`,
          `miss${id} = ${C('c_int')}(4)`,
          `print(${ctx.call('bsearch', [`${C('byref')}(miss${id})`, `sorted${id}`, { num: '7' }, { num: '4' }, `cmp_b${id}`])})`,
        ],
      };
    },
  },
  {
    name: 'qsort-r-context',
    gen(ctx, r, id) {
      const proto = ctx.sharedType('CMPFUNC_R');
      const pass = r.pick([`${C('byref')}(order${id})`, `${C('addressof')}(order${id})`, `${C('cast')}(${C('pointer')}(order${id}), ${C('c_void_p')})`]);
      const deco = r.chance(0.5);
      const fn = [
        ...(deco ? [`@${proto}`] : []),
        `def by_order${id}(a, b, context):`,
        `    sign = ${C('cast')}(context, ${C('POINTER')}(Order${id})).contents.sign`,
        `    x = ${C('cast')}(a, ${C('POINTER')}(${C('c_int')})).contents.value`,
        `    y = ${C('cast')}(b, ${C('POINTER')}(${C('c_int')}))[0]`,
        '    return sign * ((x > y) - (x < y))',
        ...(deco ? [] : [`by_order${id} = ${proto}(by_order${id})`]),
      ];
      return {
        defs: [`class Order${id}(${C('Structure')}):`, `    _fields_ = [("sign", ${C('c_int')})]`, '', ...fn],
        body: [
          `order${id} = Order${id}(sign=${r.pick([1, -1])})`,
          `data${id} = (${C('c_int')} * 5)(4, 8, 1, 9, 3)`,
          `${ctx.call('qsort_r', [`data${id}`, { num: '5' }, { num: '4' }, `by_order${id}`, pass])}`,
          `print(list(data${id}))`,
        ],
      };
    },
  },
  {
    name: 'struct-by-value',
    gen(ctx, r, id) {
      const a = r.int(10, 99), b = r.int(2, 9);
      return {
        body: [
          `q${id} = ${ctx.call('div', [String(a), String(b)])}`,
          `print(q${id}.quot, q${id}.rem)`,
          `l${id} = ${ctx.call('ldiv', [{ num: String(-a * 1000003) }, { num: String(b) }])}`,
          `print(l${id}.quot, l${id}.rem, type(l${id}).__name__)`,
        ],
      };
    },
  },
  {
    name: 'struct-tm-pointer',
    gen(ctx, r, id) {
      const t = r.int(0, 2 ** 31);
      const tm = ctx.sharedType('tm');
      return {
        body: [
          `t${id} = ${C('c_long')}(${t})`,
          `tm${id} = ${tm}()`,
          `p${id} = ${ctx.call('gmtime_r', [`${C('byref')}(t${id})`, `${C('byref')}(tm${id})`])}`,
          `print(p${id}.contents.tm_year + 1900, tm${id}.tm_mon, tm${id}.tm_mday, tm${id}.tm_hour, tm${id}.tm_min, p${id}.contents.tm_zone)`,
          `print(${ctx.call('timegm', [`${C('byref')}(tm${id})`])} == ${t}, ${C('sizeof')}(${tm}))`,
        ],
      };
    },
  },
  {
    name: 'char-p-results',
    gen(ctx, r) {
      return {
        body: [
          `print(${ctx.call('getenv', [B('FUZZ_ENV_VALUE')])}, ${ctx.call('getenv', [B('FUZZ_UNSET_' + r.word())])})`,
          `print(${ctx.call('strerror', [String(r.pick([1, 2, 9, 22]))])})`,
        ],
      };
    },
  },
  {
    name: 'errno',
    gen(ctx, r, id) {
      ctx.needErrno();
      const ge = C('get_errno'), se = C('set_errno');
      return {
        defs: ['import errno'],
        body: [
          `${se}(0)`,
          `rc${id} = ${ctx.call('close', [String(-r.int(1, 5))])}`,
          `print(rc${id}, ${ge}() == errno.EBADF, errno.errorcode[${ge}()])`,
          `${se}(${r.int(0, 3)})`,
          `${ctx.call('strtol', [B('99999999999999999999999'), 'None', '10'])}`,
          `print(${ge}() == errno.ERANGE)`,
        ],
      };
    },
  },
  {
    name: 'malloc-void-p',
    gen(ctx, r, id) {
      const n = r.int(8, 32);
      const lines = [
        `p${id} = ${ctx.call('malloc', [{ num: String(n) }])}`,
        `print(p${id} is not None, type(p${id}).__name__)`,
        `${ctx.call('memset', [{ ptr: `p${id}` }, String(r.int(65, 90)), { num: '8' }])}`,
        `print(${C('string_at')}(p${id}, 8))`,
        `bytes${id} = ${C('cast')}(p${id}, ${C('POINTER')}(${C('c_ubyte')}))`,
        `print(bytes${id}[0], bytes${id}[7])`,
        `${ctx.call('free', [{ ptr: `p${id}` }])}`,
      ];
      if (r.chance(0.5)) lines.push(`z${id} = ${ctx.call('calloc', [{ num: '4' }, { num: '4' }])}`, `print(${C('string_at')}(z${id}, 16))`, `${ctx.call('free', [{ ptr: `z${id}` }])}`);
      if (r.chance(0.5)) lines.push(`d${id} = ${ctx.call('strdup', [B(r.word())])}`, `print(${C('string_at')}(d${id}), ${C('c_char_p')}(d${id}).value)`, `${ctx.call('free', [{ ptr: `d${id}` }])}`);
      return { body: lines };
    },
  },
  {
    name: 'wide-strings',
    gen(ctx, r, id) {
      const s = r.pick(['héllo', 'añb', 'zeta', 'Ωmega']);
      return {
        body: [
          `print(${ctx.call('wcslen', [JSON.stringify(s)])})`,
          `wb${id} = ${C('create_unicode_buffer')}(${r.pick(['16', JSON.stringify(s)])})`,
          `print(${ctx.call('wcscpy', [`wb${id}`, JSON.stringify(s.slice(0, 3))])})`,
          `print(wb${id}.value, len(wb${id}), ${C('sizeof')}(wb${id}) // ${C('sizeof')}(${C('c_wchar')}))`,
          `wp${id} = ${C('c_wchar_p')}(${JSON.stringify(s)})`,
          `print(wp${id}.value, ${C('c_wchar')}("q").value, ${C('wstring_at')}(wb${id}))`,
        ],
      };
    },
  },
  {
    name: 'int-types',
    weight: 2,
    gen(ctx, r, id) {
      const lines: string[] = [];
      for (const [t, size, signed] of r.sample(INT_TYPES, r.int(2, 5))) {
        const max = 2 ** (8 * size - (signed ? 1 : 0)) - 1;
        const v = size >= 8 ? r.int(-1000, 100000) * (signed ? 1 : 1) : r.int(signed ? -Math.min(max, 1000) : 0, Math.min(max, 1000));
        const val = !signed && v < 0 ? -v : v;
        lines.push(`x${id} = ${C(t)}(${val})`, `print(${JSON.stringify(t)}, x${id}.value, ${C('sizeof')}(${C(t)}), ${C('sizeof')}(x${id}))`);
        if (size < 8) lines.push(`print(${C(t)}(${max + 3}).value)`);
        lines.push(`a${id} = (${C(t)} * 3)(1, 2, ${val})`, `print(list(a${id}), ${C('sizeof')}(a${id}), ${C('alignment')}(${C(t)}))`);
      }
      return { body: lines };
    },
  },
  {
    name: 'scalar-types',
    gen(ctx, r, id) {
      return {
        body: [
          `print(${C('c_float')}(1.1).value, ${C('c_double')}(${r.int(1, 9)}.25).value)`,
          `print(${C('c_bool')}(${r.int(0, 3)}).value, ${C('c_char')}(b"x").value, ${C('c_char')}(${r.int(65, 90)}).value)`,
          `cp${id} = ${C('c_char_p')}(${B(r.word())})`,
          `print(cp${id}.value, ${C('c_void_p')}().value, ${C('c_char_p')}().value)`,
          `cp${id}.value = b"changed"`,
          `print(cp${id}.value, ${C('sizeof')}(${C('c_void_p')}), ${C('sizeof')}(${C('c_long')}), ${C('sizeof')}(${C('c_double')}))`,
          `iv${id} = ${C('c_int')}(${r.int(1, 99)})`,
          `iv${id}.value += 1`,
          `print(iv${id}.value, ${ctx.call('abs', [`iv${id}`])})`,
        ],
      };
    },
  },
  {
    name: 'struct-basic',
    weight: 2,
    gen(ctx, r, id) {
      const S = `Point${id}`;
      const t = r.pick(['c_int', 'c_short', 'c_long', 'c_double', 'c_uint8']);
      const x = r.int(1, 99), y = r.int(1, 99);
      const make = r.pick([`${S}(${x}, ${y})`, `${S}(x=${x}, y=${y})`, `${S}(${x}, y=${y})`]);
      return {
        defs: [`class ${S}(${C('Structure')}):`, `    _fields_ = [("x", ${C(t)}), ("y", ${C(t)}), ("tag", ${C('c_char')})]`],
        body: [
          `pt${id} = ${make}`,
          `print(pt${id}.x, pt${id}.y, pt${id}.tag)`,
          `pt${id}.x = pt${id}.x * 2`,
          `pt${id}.tag = b"q"`,
          `zero${id} = ${S}()`,
          `print(pt${id}.x, pt${id}.tag, zero${id}.x, zero${id}.y)`,
          `print(${C('sizeof')}(${S}), ${S}.y.offset, ${S}.y.size, ${S}.tag.offset, ${C('alignment')}(${S}), ${C('sizeof')}(pt${id}))`,
        ],
      };
    },
  },
  {
    name: 'struct-nested',
    gen(ctx, r, id) {
      const P = `Pt${id}`, R = `Rect${id}`;
      return {
        defs: [
          `class ${P}(${C('Structure')}):`,
          `    _fields_ = [("x", ${C('c_int')}), ("y", ${C('c_int')})]`,
          '',
          `class ${R}(${C('Structure')}):`,
          `    _fields_ = [("a", ${P}), ("b", ${P}), ("corners", ${P} * 2)]`,
        ],
        body: [
          `rc${id} = ${r.pick([`${R}(${P}(1, 2), ${P}(3, 4))`, `${R}(a=${P}(1, 2), b=${P}(x=3, y=4))`, `${R}((1, 2), (3, 4))`])}`,
          `rc${id}.b.x = ${r.int(5, 50)}`,
          `rc${id}.corners[1].y = 7`,
          `inner${id} = rc${id}.a`,
          `inner${id}.y = 20`,
          `print(rc${id}.a.x, rc${id}.a.y, rc${id}.b.x, rc${id}.b.y, [(c.x, c.y) for c in rc${id}.corners])`,
          `print(${C('sizeof')}(${R}), ${R}.b.offset, ${R}.corners.offset, ${C('addressof')}(rc${id}.b) - ${C('addressof')}(rc${id}))`,
        ],
      };
    },
  },
  {
    name: 'struct-array-fields',
    gen(ctx, r, id) {
      const S = `Rec${id}`;
      return {
        defs: [`class ${S}(${C('Structure')}):`, `    _fields_ = [("vals", ${C('c_int')} * 4), ("name", ${C('c_char')} * 8), ("grid", (${C('c_ubyte')} * 2) * 2)]`],
        body: [
          `rec${id} = ${S}()`,
          `rec${id}.vals[2] = ${r.int(1, 99)}`,
          `rec${id}.name = ${B(r.word().slice(0, 5))}`,
          `rec${id}.grid[1][0] = 9`,
          `print(list(rec${id}.vals), rec${id}.name, [list(row) for row in rec${id}.grid], len(rec${id}.vals))`,
          `r2${id} = ${S}(vals=(${C('c_int')} * 4)(1, 2, 3), name=b"abc")`,
          `print(r2${id}.vals[:], r2${id}.name, ${C('sizeof')}(${S}))`,
        ],
      };
    },
  },
  {
    name: 'struct-packed',
    gen(ctx, r, id) {
      const S = `Packed${id}`;
      const pack = r.pick([1, 2, 4]);
      return {
        defs: [`class ${S}(${C('Structure')}):`, `    _pack_ = ${pack}`, `    _fields_ = [("flag", ${C('c_char')}), ("value", ${C('c_int')}), ("small", ${C('c_short')}), ("big", ${C('c_double')})]`],
        body: [
          `pk${id} = ${S}(b"y", ${r.int(1, 999)}, 3, 1.5)`,
          `print(${C('sizeof')}(${S}), ${S}.value.offset, ${S}.small.offset, ${S}.big.offset, ${C('alignment')}(${S}))`,
          `print(pk${id}.flag, pk${id}.value, pk${id}.small, pk${id}.big)`,
        ],
      };
    },
  },
  {
    name: 'bit-fields',
    gen(ctx, r, id) {
      const S = `Bits${id}`;
      const a = r.int(0, 7), b = r.int(0, 31), c = r.int(-8, 7);
      return {
        defs: [`class ${S}(${C('Structure')}):`, `    _fields_ = [("a", ${C('c_uint')}, 3), ("b", ${C('c_uint')}, 5), ("c", ${C('c_int')}, 4), ("rest", ${C('c_ushort')})]`],
        body: [
          `bf${id} = ${S}()`,
          `bf${id}.a = ${a}`,
          `bf${id}.b = ${b}`,
          `bf${id}.c = ${c}`,
          `bf${id}.rest = 500`,
          `print(bf${id}.a, bf${id}.b, bf${id}.c, bf${id}.rest, ${C('sizeof')}(${S}))`,
          `bf${id}.a = ${a + 8}`,
          `print(bf${id}.a, ${S}(1, 2, 3).b)`,
        ],
      };
    },
  },
  {
    name: 'union',
    gen(ctx, r, id) {
      const U = `Word${id}`;
      return {
        defs: [`class ${U}(${C('Union')}):`, `    _fields_ = [("i", ${C('c_uint32')}), ("f", ${C('c_float')}), ("b", ${C('c_ubyte')} * 4)]`],
        body: [
          `u${id} = ${U}()`,
          `u${id}.i = ${r.int(1, 2 ** 31)}`,
          `print(list(u${id}.b), ${C('sizeof')}(${U}))`,
          `u${id}.f = ${fl(r.int(1, 9))}`,
          `print(u${id}.i, ${U}(i=1).b[0], ${U}.b.offset)`,
        ],
      };
    },
  },
  {
    name: 'anonymous-union',
    gen(ctx, r, id) {
      const V = `Variant${id}`, U = `Payload${id}`;
      return {
        defs: [
          `class ${U}(${C('Union')}):`,
          `    _fields_ = [("i", ${C('c_int')}), ("d", ${C('c_double')})]`,
          '',
          `class ${V}(${C('Structure')}):`,
          '    _anonymous_ = ("u",)',
          `    _fields_ = [("kind", ${C('c_int')}), ("u", ${U})]`,
        ],
        body: [`v${id} = ${V}()`, `v${id}.kind = 1`, `v${id}.i = ${r.int(1, 999)}`, `print(v${id}.kind, v${id}.i, v${id}.u.i, ${C('sizeof')}(${V}), ${V}.i.offset)`, `v${id}.d = 0.5`, `print(v${id}.u.d)`],
      };
    },
  },
  {
    name: 'pointers',
    weight: 2,
    gen(ctx, r, id) {
      const N_ = `Node${id}`;
      return {
        defs: [`class ${N_}(${C('Structure')}):`, '    pass', '', `${N_}._fields_ = [("value", ${C('c_int')}), ("next", ${C('POINTER')}(${N_}))]`],
        body: [
          `i${id} = ${C('c_int')}(${r.int(1, 99)})`,
          `pi${id} = ${C('pointer')}(i${id})`,
          `pi${id}.contents.value += 1`,
          `print(i${id}.value, pi${id}[0], ${C('pointer')}(pi${id}).contents.contents.value)`,
          `null${id} = ${C('POINTER')}(${C('c_int')})()`,
          `print(bool(null${id}), bool(pi${id}))`,
          `tail${id} = ${N_}(${r.int(1, 9)}, None)`,
          `head${id} = ${N_}(${r.int(10, 19)}, ${C('pointer')}(tail${id}))`,
          `walk${id} = ${C('pointer')}(head${id})`,
          `seen${id} = []`,
          `while walk${id}:`,
          `    seen${id}.append(walk${id}.contents.value)`,
          `    walk${id} = walk${id}.contents.next`,
          `print(seen${id})`,
        ],
      };
    },
  },
  {
    name: 'struct-methods',
    gen(ctx, r, id) {
      const S = `Vec${id}`;
      return {
        defs: [
          `class ${S}(${C('Structure')}):`,
          `    _fields_ = [("x", ${C('c_double')}), ("y", ${C('c_double')})]`,
          '',
          '    def norm2(self):',
          '        return self.x * self.x + self.y * self.y',
          '',
          '    @property',
          '    def swapped(self):',
          `        return ${S}(self.y, self.x)`,
          '',
          '    def __repr__(self):',
          `        return "${S}(%r, %r)" % (self.x, self.y)`,
        ],
        body: [`vec${id} = ${S}(${r.int(1, 9)}, ${r.int(1, 9)})`, `print(vec${id}.norm2(), vec${id}.swapped, repr(vec${id}))`, `print(${ctx.call('sqrt', [{ num: `vec${id}.norm2()` }])})`],
      };
    },
  },
  {
    name: 'struct-memory',
    gen(ctx, r, id) {
      const S = `Pair${id}`;
      return {
        defs: [`class ${S}(${C('Structure')}):`, `    _fields_ = [("a", ${C('c_int')}), ("b", ${C('c_uint16')}), ("c", ${C('c_char')} * 2)]`],
        body: [
          `src${id} = ${S}(${r.int(1, 999)}, ${r.int(1, 999)}, b"ok")`,
          `dst${id} = ${S}()`,
          `${C('memmove')}(${C('byref')}(dst${id}), ${C('byref')}(src${id}), ${C('sizeof')}(${S}))`,
          `print(dst${id}.a, dst${id}.b, dst${id}.c, bytes(dst${id}))`,
          `${C('memset')}(${C('byref')}(dst${id}), 0, ${C('sizeof')}(dst${id}))`,
          `print(dst${id}.a, bytes(src${id}) == bytes(dst${id}))`,
          `print(${ctx.call('memcmp', [`${C('byref')}(src${id})`, `${C('byref')}(src${id})`, { num: `${C('sizeof')}(${S})` }])})`,
        ],
      };
    },
  },
  {
    name: 'from-buffer',
    gen(ctx, r, id) {
      return {
        defs: [`class Hdr${id}(${C('Structure')}):`, `    _fields_ = [("magic", ${C('c_uint16')}), ("size", ${C('c_uint16')})]`],
        body: [
          `ba${id} = bytearray(8)`,
          `view${id} = (${C('c_uint8')} * 8).from_buffer(ba${id})`,
          `view${id}[0] = ${r.int(1, 255)}`,
          `word${id} = ${C('c_uint32')}.from_buffer(ba${id}, 4)`,
          `word${id}.value = ${r.int(1, 2 ** 31)}`,
          `print(bytes(ba${id}))`,
          `h${id} = Hdr${id}.from_buffer_copy(b"\\x01\\x02\\x03\\x04")`,
          `print(h${id}.magic, h${id}.size)`,
          `hv${id} = Hdr${id}.from_buffer(ba${id})`,
          `hv${id}.size = 7`,
          `print(ba${id}[2], ${C('c_int')}.from_buffer_copy(bytes(4)).value)`,
        ],
      };
    },
  },
  {
    name: 'cast-addressof',
    weight: 2,
    gen(ctx, r, id) {
      return {
        body: [
          `arr${id} = (${C('c_int')} * 4)(${r.int(1, 9)}, ${r.int(256, 999)}, 3, 4)`,
          `ip${id} = ${C('cast')}(arr${id}, ${C('POINTER')}(${C('c_int')}))`,
          `bp${id} = ${C('cast')}(arr${id}, ${C('POINTER')}(${C('c_ubyte')}))`,
          `print(ip${id}[1], bp${id}[4], bp${id}[5])`,
          `print(${C('cast')}(arr${id}, ${C('c_void_p')}).value == ${C('addressof')}(arr${id}))`,
          `print(${C('c_int')}.from_address(${C('addressof')}(arr${id}) + 8).value)`,
          `vp${id} = ${C('c_void_p')}(${C('addressof')}(arr${id}))`,
          `print(${C('cast')}(vp${id}, ${C('POINTER')}(${C('c_int')}))[3], ${C('sizeof')}(ip${id}))`,
          `print((${C('c_int')} * 2).from_address(${C('addressof')}(arr${id}))[:])`,
        ],
      };
    },
  },
  {
    name: 'globals-in-dll',
    gen(ctx, r, id) {
      const lib = ctx.lib('c');
      const lines = [
        `optind${id} = ${C('c_int')}.in_dll(${lib}, "optind")`,
        `print(optind${id}.value)`,
        `opterr${id} = ${C('c_int')}.in_dll(${lib}, "opterr")`,
        `opterr${id}.value = ${r.int(0, 5)}`,
        `print(${C('c_int')}.in_dll(${lib}, "opterr").value)`,
        `opterr${id}.value = 1`,
      ];
      if (r.chance(0.5)) lines.push(`${ctx.call('tzset', [])}`, `print(${C('c_long')}.in_dll(${lib}, "timezone").value, ${C('c_int')}.in_dll(${lib}, "daylight").value)`);
      return { body: lines };
    },
  },
  {
    name: 'zlib-checksums',
    gen(ctx, r, id) {
      const data = B(r.word().repeat(r.int(1, 5)));
      return {
        body: [
          `data${id} = ${data}`,
          `print(${ctx.call('crc32', [{ num: '0' }, `data${id}`, { num: `len(data${id})` }])})`,
          `print(${ctx.call('adler32', [{ num: '1' }, `data${id}`, { num: `len(data${id})` }])})`,
          `print(${ctx.call('zlibVersion', [])}.startswith(b"1."))`,
        ],
      };
    },
  },
  {
    name: 'zlib-roundtrip',
    gen(ctx, r, id) {
      const data = B(r.word().repeat(r.int(3, 20)));
      return {
        body: [
          `src${id} = ${data}`,
          `cap${id} = ${ctx.call('compressBound', [{ num: `len(src${id})` }])}`,
          `out${id} = ${C('create_string_buffer')}(cap${id})`,
          `olen${id} = ${C('c_ulong')}(cap${id})`,
          `rc${id} = ${ctx.call('compress', [`out${id}`, `${C('byref')}(olen${id})`, `src${id}`, { num: `len(src${id})` }])}`,
          `print(rc${id}, olen${id}.value < len(src${id}) + 20)`,
          `back${id} = ${C('create_string_buffer')}(len(src${id}))`,
          `blen${id} = ${C('c_ulong')}(len(src${id}))`,
          `rc${id} = ${ctx.call('uncompress', [`back${id}`, `${C('byref')}(blen${id})`, `out${id}`, { num: `olen${id}.value` }])}`,
          `print(rc${id}, blen${id}.value, back${id}.raw == src${id})`,
        ],
      };
    },
  },
  {
    name: 'callbacks-direct',
    weight: 2,
    gen(ctx, r, id) {
      const t = r.pick(['c_int', 'c_long', 'c_double']);
      const sig = `${C('CFUNCTYPE')}(${C(t)}, ${C(t)}, ${C(t)})`;
      const deco = r.chance(0.5);
      const strSig = `${C('CFUNCTYPE')}(${C('c_int')}, ${C('c_char_p')})`;
      return {
        defs: [
          `BINOP${id} = ${sig}`,
          ...(deco ? [`@BINOP${id}`, `def add${id}(a, b):`, '    return a + b'] : [`add${id} = BINOP${id}(lambda a, b: a + b)`]),
          '',
          `@${strSig}`,
          `def measure${id}(s):`,
          '    return len(s) * 10',
        ],
        body: [
          `print(add${id}(${r.int(1, 9)}, ${r.int(1, 9)}), measure${id}(${B(r.word())}))`,
          `print(BINOP${id}(lambda a, b: a * b)(6, 7))`,
        ],
      };
    },
  },
  {
    name: 'callback-in-struct',
    gen(ctx, r, id) {
      return {
        defs: [
          `OP${id} = ${C('CFUNCTYPE')}(${C('c_int')}, ${C('c_int')}, ${C('c_int')})`,
          '',
          `class Ops${id}(${C('Structure')}):`,
          `    _fields_ = [("name", ${C('c_char_p')}), ("apply", OP${id})]`,
          '',
          `def _mul${id}(a, b):`,
          '    return a * b',
          `mul${id} = OP${id}(_mul${id})`,
        ],
        body: [`ops${id} = Ops${id}(${B(r.word())}, mul${id})`, `print(ops${id}.name, ops${id}.apply(${r.int(2, 9)}, ${r.int(2, 9)}))`],
      };
    },
  },
  {
    name: 'struct-char-p-field',
    gen(ctx, r, id) {
      return {
        defs: [`class Named${id}(${C('Structure')}):`, `    _fields_ = [("name", ${C('c_char_p')}), ("len", ${C('c_size_t')})]`],
        body: [
          `nm${id} = Named${id}(${B(r.word())}, 5)`,
          `print(nm${id}.name, nm${id}.len, Named${id}().name)`,
          `nm${id}.name = ${B('renamed')}`,
          `print(nm${id}.name, ${ctx.call('strlen', [`nm${id}.name`])})`,
        ],
      };
    },
  },
  {
    name: 'arrays',
    gen(ctx, r, id) {
      const n = r.int(2, 4);
      return {
        body: [
          `Grid${id} = (${C('c_int')} * 3) * ${n}`,
          `g${id} = Grid${id}()`,
          `g${id}[1][2] = ${r.int(1, 99)}`,
          `print([list(row) for row in g${id}], ${C('sizeof')}(Grid${id}), len(g${id}))`,
          `d${id} = (${C('c_double')} * 3)(0.5, 1.5)`,
          `print(d${id}[:], d${id}[-1], sum(d${id}))`,
          `arr${id} = ${C('ARRAY')}(${C('c_short')}, 4)(*range(4))`,
          `arr${id}[0] = -1`,
          `print(list(arr${id}), [x * 2 for x in arr${id}])`,
        ],
      };
    },
  },
  {
    name: 'errors',
    gen(ctx, r, id) {
      const lines = [
        'try:',
        `    ${C('create_string_buffer')}(b"too long", 3)`,
        'except ValueError:',
        '    print("value error")',
        'try:',
        `    (${C('c_int')} * 2)()[5]`,
        'except IndexError:',
        '    print("index error")',
      ];
      if (ctx.hasArgtypes('strlen')) {
        lines.push('try:', `    ${ctx.call('strlen', ['42'])}`, `except ${C('ArgumentError')}:`, '    print("argument error")');
      }
      return { body: lines };
    },
  },
  {
    name: 'loop-calls',
    gen(ctx, r, id) {
      const words = r.sample(['a', 'bb', 'ccc', 'dddd', 'eeeee'], 3);
      return {
        body: [
          `total${id} = 0`,
          `for w${id} in ${JSON.stringify(words).replace(/"(\w+)"/g, 'b"$1"')}:`,
          `    total${id} += ${ctx.call('strlen', [`w${id}`])}`,
          `    print(w${id}, ${ctx.call('toupper', [`w${id}[0]`])}, ${ctx.call('tolower', ['ord("Q")'])})`,
          `print(total${id})`,
          `print([${ctx.call('sqrt', [{ num: `float(k${id})` }])} for k${id} in (1, 4, 9)])`,
        ],
      };
    },
  },
  {
    name: 'class-wrapper',
    gen(ctx, r, id) {
      return {
        defs: [
          `class Checksum${id}:`,
          '    def __init__(self, seed):',
          '        self.value = seed',
          '',
          '    def update(self, data):',
          `        self.value = ${ctx.call('crc32', [{ num: 'self.value' }, 'data', { num: 'len(data)' }])}`,
          '        return self',
          '',
          '    def length(self, data):',
          `        return ${ctx.call('strlen', ['data'])}`,
        ],
        body: [`ck${id} = Checksum${id}(0)`, `print(ck${id}.update(${B(r.word())}).update(b"more").value, ck${id}.length(b"four"))`],
        shapes: ['module', 'loop', 'try'],
      };
    },
  },
  {
    name: 'rand-seeded',
    gen(ctx, r) {
      return { body: [`${ctx.call('srand', [{ num: String(r.int(1, 99)) }])}`, `print([${ctx.call('rand', [])} for _ in range(3)])`] };
    },
  },
  {
    name: 'callbacks-in-list',
    gen(ctx, r, id) {
      const proto = ctx.sharedType('CMPFUNC');
      const P = `PAIROP${id}`;
      const viaComprehension = r.chance(0.5);
      return {
        defs: [
          `${P} = ${C('CFUNCTYPE')}(${C('c_int')}, ${C('c_int')}, ${C('c_int')})`,
          '',
          `def _plus${id}(a, b):`,
          '    return a + b',
          '',
          `def _minus${id}(a, b):`,
          '    return a - b',
          '',
          viaComprehension ? `ops${id} = [${P}(f) for f in (_plus${id}, _minus${id})]` : `ops${id} = [${P}(_plus${id}), ${P}(_minus${id})]`,
          `named${id} = {"plus": ops${id}[0], "times": ${P}(lambda a, b: a * b)}`,
          '',
          ...cmpBody('a', 'b', C('c_int')).map((l, i) => (i === 0 ? [`def _asc${id}(a, b):`, l] : [l])).flat(),
          '',
          ...cmpBody('b', 'a', C('c_int')).map((l, i) => (i === 0 ? [`def _desc${id}(a, b):`, l] : [l])).flat(),
          '',
          `cmps${id} = [${proto}(_asc${id}), ${proto}(_desc${id})]`,
        ],
        body: [
          `print([op(${r.int(5, 9)}, ${r.int(1, 4)}) for op in ops${id}], named${id}["plus"](1, 2), named${id}["times"](6, 7))`,
          `arr${id} = (${C('c_int')} * 5)(${r.shuffle([3, 1, 4, 1, 5]).join(', ')})`,
          `for cmp${id} in cmps${id}:`,
          `    ${ctx.call('qsort', [`arr${id}`, { num: '5' }, { num: `${C('sizeof')}(${C('c_int')})` }, `cmp${id}`])}`,
          `    print(list(arr${id}))`,
          `${ctx.call('qsort', [`arr${id}`, { num: '3' }, { num: `${C('sizeof')}(${C('c_int')})` }, `cmps${id}[0]`])}`,
          `print(list(arr${id}))`,
        ],
      };
    },
  },
  {
    name: 'cast-bytes',
    gen(ctx, r, id) {
      const w = r.word();
      return {
        body: [
          `raw${id} = ${B(w)}`,
          `print(${ctx.call('strlen', [`${C('cast')}(raw${id}, ${C('c_char_p')})`])}, ${C('cast')}(raw${id}, ${C('c_char_p')}).value)`,
          `ub${id} = ${C('cast')}(raw${id}, ${C('POINTER')}(${C('c_ubyte')}))`,
          `print(ub${id}[0], ub${id}[1], ${C('cast')}(raw${id}, ${C('c_void_p')}).value == ${C('cast')}(raw${id}, ${C('c_void_p')}).value)`,
          `ba${id} = bytearray(raw${id} + b"\\0")`,
          `view${id} = (${C('c_char')} * len(ba${id})).from_buffer(ba${id})`,
          `${ctx.call('memset', [`view${id}`, String(r.int(97, 122)), { num: '2' }])}`,
          `print(bytes(ba${id}), ${ctx.call('strlen', [`view${id}`])}, ${C('cast')}(view${id}, ${C('c_char_p')}).value)`,
          `copy${id} = (${C('c_char')} * 4).from_buffer_copy(raw${id}[:3] + b"\\0")`,
          `print(copy${id}.value, ${ctx.call('strcmp', [`copy${id}`, B(w.slice(0, 3))])})`,
        ],
      };
    },
  },
  {
    name: 'library-attributes',
    gen(ctx, r, id) {
      const lib = ctx.lib('c');
      return {
        body: [
          `print(${lib}._name, type(${lib}._handle).__name__, ${lib}._handle != 0)`,
          `print(${ctx.call('strlen', [B(r.word())])}, getattr(${lib}, "_name") == ${lib}._name)`,
        ],
      };
    },
  },
  {
    name: 'struct-by-value-arg',
    gen(ctx, r, id) {
      const A = ctx.sharedType('in_addr');
      const b = r.int(1, 254);
      return {
        body: [
          `loop${id} = ${A}(0x0100007f)`,
          `print(${ctx.call('inet_ntoa', [`loop${id}`])}, ${ctx.call('inet_ntoa', [`${A}(s_addr=${b * 16777216 + 10})`])})`,
          `print(${ctx.call('inet_lnaof', [`loop${id}`])}, loop${id}.s_addr)`,
          `made${id} = ${ctx.call('inet_makeaddr', [{ num: '10' }, { num: String(b) }])}`,
          `print(made${id}.s_addr, ${ctx.call('inet_ntoa', [`made${id}`])})`,
        ],
      };
    },
  },
  {
    // issue #12: the package's module (or the package) reached through an alias, `m = nat`, and a library function
    // only that alias calls, without argtypes (the plan must declare it, as for `nat.libc.abs`, or refuse)
    name: 'module-alias',
    weight: 1.5,
    gen(ctx, r, id) {
      const f = r.pick(['abs', 'toupper']);
      const x = f === 'abs' ? -r.int(1, 999) : r.int(97, 122);
      if (!ctx.pkg) return { body: [`print(${ctx.call(f, [{ num: String(x) }])})`] };
      ctx.needLib('c');
      const m = `mod${id}`;
      const held = ctx.holder === 'module' ? 'libc' : ctx.holder === 'classattr' ? 'Native.libc' : 'native.libc';
      const [imp, value, path] = r.weighted<[string, string, string]>([
        [[`from fuzzpkg import native as _nat${id}`, `_nat${id}`, held], 3],
        [[`import fuzzpkg.native as _nat${id}`, `_nat${id}`, held], 2],
        [['import fuzzpkg.native', 'fuzzpkg.native', held], 1],
        [['import fuzzpkg.native', 'fuzzpkg', `native.${held}`], 1],
      ]);
      const twice = r.chance(0.3);
      return {
        defs: [imp],
        body: [
          `${m} = ${value}`,
          ...(twice ? [`${m}b = ${m}`] : []),
          `print(${twice ? `${m}b` : m}.${path}.${f}(${x}))`,
        ],
      };
    },
  },
  {
    name: 'errcheck-raises',
    gen(ctx, r, id) {
      const f = ctx.callee('dup');
      return {
        defs: [
          `def _nonneg${id}(result, func, arguments):`,
          '    if result < 0:',
          '        raise OSError("%s%r failed" % (getattr(func, "__name__", "prototype"), arguments))',
          '    return result',
        ],
        body: [
          `${f}.errcheck = _nonneg${id}`,
          'try:',
          `    ${ctx.call('dup', [{ num: '-1' }])}`,
          `except OSError as exc${id}:`,
          `    print("raised", exc${id})`,
          `print(${ctx.call('dup', [{ num: '2' }])} > 2)`,
        ],
      };
    },
  },
];
