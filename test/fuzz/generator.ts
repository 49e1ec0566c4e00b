/**
 * The program generator: from a seed, a self-checking ctypes program over libc, libm and zlib (one module,
 * or a main module plus a module of a generated package). Independent axes, each drawn from the seed:
 * how ctypes is imported, how and where libraries are loaded, how each function is declared and where,
 * which constructs the program exercises (cases.ts) and in which program shape each one runs.

 * Code is written with the tokens of tokens.ts, resolved per module by `render`.
 */
import { FUNCTIONS, NEEDS_WRAP, type Lib, type Sig } from './catalogue';
import { CASES, type CaseOut } from './cases';
import { Rng } from './rng';
import { C, FIND_LIBRARY, N } from './tokens';

export interface Program {
  readonly seed: number;
  /** Relative path → source. `main.py` is the entry point. */
  readonly files: Record<string, string>;
  /** The axes drawn for this program, for reports. */
  readonly axes: Record<string, string>;
  readonly cases: readonly string[];
}

type ImportStyle = 'module' | 'alias' | 'star' | 'names';
type Holder = 'module' | 'classattr' | 'instance';
type DeclStyle = 'attr' | 'tuple' | 'alias' | 'getattr' | 'item' | 'proto' | 'helper' | 'table' | 'noargs' | 'partial';
type Shape = 'module' | 'function' | 'method' | 'loop' | 'try';

/** An argument: a ready expression, a plain number (wrapped when no argtypes convert it), or an int address. */
export type Arg = string | { num: string } | { ptr: string };

const LIB_VAR: Record<Lib, string> = { c: 'libc', m: 'libm', z: 'libz' };
const SONAME: Record<Lib, string> = { c: 'libc.so.6', m: 'libm.so.6', z: 'libz.so.1' };
const SHORT: Record<Lib, string> = { c: 'c', m: 'm', z: 'z' };
const BUILTIN_CLASH = new Set(['abs', 'pow', 'round', 'div', 'free', 'close', 'compress']);

interface Load {
  ctor: 'CDLL' | 'LoadLibrary';
  target: string;
  errno: boolean;
  global: boolean;
}

interface Declared {
  readonly style: DeclStyle;
  readonly callee: string;
  readonly hasArgtypes: boolean;
}

export class Ctx {
  readonly rng: Rng;
  readonly pkg: boolean;
  readonly holder: Holder;
  readonly declInMain: boolean;
  readonly libs = new Map<Lib, string>();
  private readonly loads = new Map<Lib, Load>();
  readonly axes: Record<string, string> = {};
  useErrno = false;
  /** Decl-module code, in order. */
  readonly typeDefs: string[] = [];
  readonly declLines: string[] = [];
  readonly tables = new Map<Lib, string[]>();
  private helperNeeded = false;
  private readonly sharedTypes = new Set<string>();
  private readonly topDecls = new Map<string, Declared>();
  private readonly styleOf = new Map<string, DeclStyle>();
  private readonly placeOf = new Map<string, 'top' | 'case'>();
  /** Declarations made inside the case being generated; prepended to its body. */
  caseDecls: string[] = [];
  private caseLocal = new Map<string, Declared>();
  readonly cmpArg: string;
  readonly qsortCbArg: string;
  private readonly tableLoopVar: string;

  constructor(seed: number) {
    this.rng = new Rng(seed);
    const r = this.rng;
    this.pkg = r.chance(0.25);
    this.holder = r.weighted<Holder>([['module', 6], ['classattr', 1.5], ['instance', 2]]);
    this.declInMain = this.pkg && this.holder === 'module' && r.chance(0.3);
    this.cmpArg = r.pick(['c_void_p', 'P:c_int']);
    this.qsortCbArg = r.chance(0.2) ? 'c_void_p' : 'T:CMPFUNC';
    this.tableLoopVar = r.pick(['_fn', 'func', 'f']);
    Object.assign(this.axes, { package: String(this.pkg), holder: this.holder, declInMain: String(this.declInMain) });
  }

  /** ctypes name. */
  c(name: string): string {
    return C(name);
  }

  /** A type of the mini-language in catalogue.ts as a ctypes expression, at the declaring site. */
  ty(t: string | null): string {
    if (t === null) return 'None';
    if (t.startsWith('P:')) return `${C('POINTER')}(${this.ty(t.slice(2))})`;
    if (t.startsWith('T:')) return this.sharedType(t.slice(2));
    return C(t);
  }

  /** A library as seen from a case (the using site). */
  lib(l: Lib): string {
    this.needLib(l);
    const v = LIB_VAR[l];
    if (this.holder === 'module') return N(v);
    if (this.holder === 'classattr') return `${N('Native')}.${v}`;
    return `${N('native')}.${v}`;
  }

  /** A library as seen by top-level declarations. */
  private libAtDecl(l: Lib): string {
    const v = LIB_VAR[l];
    if (this.holder === 'module') return N(v);
    if (this.holder === 'classattr') return `${N('Native')}.${v}`;
    return `self.${v}`;
  }

  needLib(l: Lib): void {
    if (this.libs.has(l)) return;
    const r = this.rng;
    const target = r.weighted<string>([[JSON.stringify(SONAME[l]), 3], [`${FIND_LIBRARY}(${JSON.stringify(SHORT[l])})`, 2], ...(l === 'c' ? [['None', 0.8] as [string, number]] : [])]);
    const ctor = r.weighted<'CDLL' | 'LoadLibrary'>([['CDLL', 3], ['LoadLibrary', 1.5]]);
    const load: Load = { ctor, target, errno: l === 'c' && (this.useErrno || r.chance(0.3)), global: r.chance(0.1) };
    if (load.errno) this.useErrno = true;
    this.loads.set(l, load);
    this.libs.set(l, '');
  }

  /** Marks that a case needs errno saving: libc is loaded with use_errno=True. */
  needErrno(): void {
    this.needLib('c');
    this.loads.get('c')!.errno = true;
    this.useErrno = true;
  }

  /** The loading expressions, once every case has asked for its libraries. */
  loadExprs(): [Lib, string][] {
    return [...this.loads].map(([l, d]) => {
      const extra = (d.errno ? ', use_errno=True' : '') + (d.global ? `, mode=${C('RTLD_GLOBAL')}` : '');
      const e = d.ctor === 'LoadLibrary' && !extra ? `${C('cdll')}.LoadLibrary(${d.target})` : `${C('CDLL')}(${d.target}${extra})`;
      this.axes[`load_${l}`] = e.replace(/[\u27e6\u27e7]/g, '');
      return [l, e];
    });
  }

  /** A type the declaring module defines (callback prototypes, structs of C signatures). */
  sharedType(name: string): string {
    if (!this.sharedTypes.has(name)) {
      this.sharedTypes.add(name);
      const twoStep = this.rng.chance(0.25);
      const struct = (fields: string[]): string[] =>
        twoStep
          ? [`class ${name}(${C('Structure')}):`, '    pass', `${name}._fields_ = [`, ...fields.map((f) => `    ${f},`), ']']
          : [`class ${name}(${C('Structure')}):`, '    _fields_ = [', ...fields.map((f) => `        ${f},`), '    ]'];
      const cmpArg = this.ty(this.cmpArg);
      switch (name) {
        case 'CMPFUNC':
          this.typeDefs.push(`CMPFUNC = ${C('CFUNCTYPE')}(${C('c_int')}, ${cmpArg}, ${cmpArg})`);
          break;
        case 'CMPFUNC_R':
          this.typeDefs.push(`CMPFUNC_R = ${C('CFUNCTYPE')}(${C('c_int')}, ${C('c_void_p')}, ${C('c_void_p')}, ${C('c_void_p')})`);
          break;
        case 'div_t':
          this.typeDefs.push(...struct([`("quot", ${C('c_int')})`, `("rem", ${C('c_int')})`]));
          break;
        case 'ldiv_t':
          this.typeDefs.push(...struct([`("quot", ${C('c_long')})`, `("rem", ${C('c_long')})`]));
          break;
        case 'in_addr':
          this.typeDefs.push(...struct([`("s_addr", ${C('c_uint32')})`]));
          break;
        case 'tm':
          this.typeDefs.push(
            ...struct([
              ...['tm_sec', 'tm_min', 'tm_hour', 'tm_mday', 'tm_mon', 'tm_year', 'tm_wday', 'tm_yday', 'tm_isdst'].map((f) => `("${f}", ${C('c_int')})`),
              `("tm_gmtoff", ${C('c_long')})`,
              `("tm_zone", ${C('c_char_p')})`,
            ]),
          );
          break;
        default:
          throw new Error(`unknown shared type ${name}`);
      }
    }
    return N(name);
  }

  /** Whether `name`'s declaration (once made) converts arguments through argtypes. */
  hasArgtypes(name: string): boolean {
    const d = this.caseLocal.get(name) ?? this.topDecls.get(name);
    if (d) return d.hasArgtypes;
    const s = this.chooseStyle(name);
    return s !== 'noargs';
  }

  private chooseStyle(name: string): DeclStyle {
    let s = this.styleOf.get(name);
    if (s) return s;
    const sig = FUNCTIONS[name]!;
    const r = this.rng;
    const styles: [DeclStyle, number][] = [
      ['attr', 5], ['tuple', 1], ['alias', 3], ['getattr', 1], ['item', 1], ['helper', 1], ['table', 2], ['noargs', 1.2],
    ];
    if (!sig.variadic) styles.push(['proto', 1.5]);
    if (sig.smallInt && sig.res !== null) styles.push(['partial', 1]);
    if (sig.variadic) styles.push(['noargs', 2]);
    s = r.weighted(styles);
    this.styleOf.set(name, s);
    this.placeOf.set(name, r.chance(0.15) ? 'case' : 'top');
    this.axes[`decl_${name}`] = s;
    return s;
  }

  /** The expression naming the C function `name` where cases call it (declaring it first), e.g. to set its errcheck. */
  callee(name: string): string {
    return this.declare(name, FUNCTIONS[name]!).callee;
  }

  /** A call of the C function `name`, declaring it first (at the top or in the current case). */
  call(name: string, args: readonly Arg[]): string {
    const sig = FUNCTIONS[name]!;
    const d = this.declare(name, sig);
    const rendered = args.map((a, i) => {
      if (typeof a === 'string') return a;
      const t = sig.args[i];
      if ('num' in a) return !d.hasArgtypes && t && NEEDS_WRAP.has(t) ? `${C(t)}(${a.num})` : a.num;
      return !d.hasArgtypes ? `${C('c_void_p')}(${a.ptr})` : a.ptr;
    });
    return `${d.callee}(${rendered.join(', ')})`;
  }

  private declare(name: string, sig: Sig): Declared {
    const style = this.chooseStyle(name);
    const place = this.placeOf.get(name)!;
    const known = place === 'top' ? this.topDecls.get(name) : this.caseLocal.get(name);
    if (known) return known;
    this.needLib(sig.lib);
    const r = this.rng;
    const local = place === 'case';
    const L = local ? this.lib(sig.lib) : this.libAtDecl(sig.lib);
    const aliasName = BUILTIN_CLASH.has(name) ? `c_${name}` : name;
    const A = local ? aliasName : this.holder === 'instance' ? `self.${aliasName}` : aliasName;
    const Ause = local ? aliasName : this.holder === 'instance' ? `${N('native')}.${aliasName}` : N(aliasName);
    const Luse = this.lib(sig.lib);
    const asList = r.chance(0.8);
    const argList = (xs: string[]) => (asList ? `[${xs.join(', ')}]` : `(${xs.join(', ')}${xs.length === 1 ? ',' : ''})`);
    const args = sig.args.map((a) => (name === 'qsort' || name === 'bsearch') && a === 'T:CMPFUNC' ? this.ty(this.qsortCbArg) : this.ty(a));
    const res = this.ty(sig.res);
    const out: string[] = [];
    let callee = `${Luse}.${name}`;
    let hasArgtypes = true;
    const errcheck = (target: string) => {
      if (!r.chance(0.1)) return;
      const fn = `_check_${name}`;
      // the identity, or one that reads its arguments first (the check real bindings do before returning)
      const check = r.chance(0.5) ? [] : ['    if not isinstance(arguments, tuple):', '        raise TypeError(arguments)'];
      out.push(`def ${fn}(result, func, arguments):`, ...check, '    return result', `${target}.errcheck = ${fn}`);
    };
    switch (style) {
      case 'attr':
        out.push(`${L}.${name}.argtypes = ${argList(args)}`);
        if (sig.res !== 'c_int' || r.chance(0.7)) out.push(`${L}.${name}.restype = ${res}`);
        errcheck(`${L}.${name}`);
        break;
      case 'tuple':
        out.push(`${L}.${name}.argtypes, ${L}.${name}.restype = ${argList(args)}, ${res}`);
        break;
      case 'alias':
      case 'getattr':
      case 'item': {
        const get = style === 'alias' ? `${L}.${name}` : style === 'getattr' ? `getattr(${L}, ${JSON.stringify(name)})` : `${L}[${JSON.stringify(name)}]`;
        out.push(`${A} = ${get}`);
        if (r.chance(0.5)) out.push(`${A}.restype = ${res}`, `${A}.argtypes = ${argList(args)}`);
        else out.push(`${A}.argtypes = ${argList(args)}`, `${A}.restype = ${res}`);
        errcheck(A);
        callee = Ause;
        break;
      }
      case 'proto': {
        const proto = `${C('CFUNCTYPE')}(${[res, ...args].join(', ')})`;
        if (r.chance(0.5)) {
          const pn = local ? `${name}_proto` : this.holder === 'instance' ? `${name}_proto` : `${name.toUpperCase()}_PROTO`;
          out.push(`${pn} = ${proto}`, `${A} = ${pn}((${JSON.stringify(name)}, ${L}))`);
        } else out.push(`${A} = ${proto}((${JSON.stringify(name)}, ${L}))`);
        callee = Ause;
        break;
      }
      case 'helper':
        this.helperNeeded = !local || this.helperNeeded;
        if (local) {
          out.push(`def _declare_${name}(lib, fname, restype, argtypes):`, '    fn = getattr(lib, fname)', '    fn.restype = restype', '    fn.argtypes = argtypes', '    return fn');
          out.push(`${A} = _declare_${name}(${L}, ${JSON.stringify(name)}, ${res}, ${argList(args)})`);
        } else out.push(`${A} = ${this.holder === 'instance' ? N('declare') : N('declare')}(${L}, ${JSON.stringify(name)}, ${res}, ${argList(args)})`);
        callee = Ause;
        break;
      case 'table':
        if (local) {
          const v = this.tableLoopVar;
          out.push(`for _name, (_res, _args) in {${JSON.stringify(name)}: (${res}, ${argList(args)})}.items():`, `    ${v} = getattr(${L}, _name)`, `    ${v}.restype = _res`, `    ${v}.argtypes = _args`);
        } else {
          if (!this.tables.has(sig.lib)) this.tables.set(sig.lib, []);
          this.tables.get(sig.lib)!.push(`    ${JSON.stringify(name)}: (${res}, ${argList(args)}),`);
        }
        break;
      case 'noargs':
        hasArgtypes = false;
        if (sig.res !== 'c_int') out.push(`${L}.${name}.restype = ${res}`);
        break;
      case 'partial':
        out.push(`${L}.${name}.argtypes = ${argList(args)}`);
        break;
    }
    const d: Declared = { style, callee, hasArgtypes };
    if (local) {
      this.caseDecls.push(...out);
      this.caseLocal.set(name, d);
    } else {
      this.declLines.push(...out);
      this.topDecls.set(name, d);
    }
    return d;
  }

  beginCase(): void {
    this.caseDecls = [];
    this.caseLocal = new Map();
  }

  /** The declaring module's code after the imports. */
  declModuleBody(): string[] {
    const out: string[] = [];
    const loads = this.loadExprs().map(([l, e]) => [LIB_VAR[l], e] as const);
    if (this.holder === 'module') for (const [v, e] of loads) out.push(`${v} = ${e}`);
    out.push(...this.typeDefs);
    if (this.helperNeeded) {
      out.push('', '', 'def declare(lib, name, restype, argtypes):', '    fn = getattr(lib, name)', '    fn.restype = restype', '    fn.argtypes = argtypes', '    return fn');
    }
    const table: string[] = [];
    for (const [l, entries] of this.tables) {
      const v = this.tableLoopVar;
      const tname = `${LIB_VAR[l].toUpperCase()}_SIGNATURES`;
      table.push(`${tname} = {`, ...entries, '}');
      table.push(`for _name, (_res, _args) in ${tname}.items():`, `    ${v} = getattr(${this.libAtDecl(l)}, _name)`, `    ${v}.restype = _res`, `    ${v}.argtypes = _args`);
    }
    if (this.holder === 'module' || !loads.length) {
      out.push(...this.declLines, ...table);
    } else if (this.holder === 'classattr') {
      out.push('', '', 'class Native:', ...loads.map(([v, e]) => `    ${v} = ${e}`), '');
      out.push(...this.declLines, ...table);
    } else {
      out.push('', '', 'class Native:', '    def __init__(self):', ...loads.map(([v, e]) => `        self.${v} = ${e}`));
      for (const l of [...this.declLines, ...table]) out.push(`        ${l}`);
      out.push('', '', 'native = Native()');
    }
    return out;
  }
}

function indent(lines: readonly string[], by: string): string[] {
  return lines.map((l) => (l ? by + l : l));
}

function placeCase(shape: Shape, id: number, out: CaseOut): string[] {
  const body = out.body.length ? out.body : ['pass'];
  switch (shape) {
    case 'module':
      return body;
    case 'function':
      return [`def case_${id}():`, ...indent(body, '    '), '', '', `case_${id}()`];
    case 'method':
      return [`class Case${id}:`, '    def run(self):', ...indent(body, '        '), '', '', `Case${id}().run()`];
    case 'loop':
      return [`for _round_${id} in range(2):`, ...indent(body, '    ')];
    case 'try':
      return ['try:', ...indent(body, '    '), `except ${out.catches ?? 'ZeroDivisionError'} as exc_${id}:`, `    print("unexpected", type(exc_${id}).__name__)`];
  }
}

/** Resolves tokens for one module. `defines` says whether the declaring module's names are local here. */
function render(lines: string[], opts: { style: ImportStyle; defines: boolean; nativeAccess?: 'names' | 'module' | 'dotted' | 'star'; extraHead?: string[] }): string {
  let text = lines.join('\n');
  const names = new Set<string>();
  let util = false;
  const prefix = opts.style === 'module' ? 'ctypes.' : opts.style === 'alias' ? 'ct.' : '';
  text = text.replace(/\u27e6([^\u27e7]+)\u27e7/g, (_, n: string) => {
    if (n.startsWith('util:')) {
      util = true;
      return opts.style === 'module' ? 'ctypes.util.find_library' : 'find_library';
    }
    names.add(n);
    return prefix + n;
  });
  const nativeNames = new Set<string>();
  text = text.replace(/\u27ea([^\u27eb]+)\u27eb/g, (_, n: string) => {
    if (opts.defines) return n;
    nativeNames.add(n);
    switch (opts.nativeAccess) {
      case 'module':
        return `nat.${n}`;
      case 'dotted':
        return `fuzzpkg.native.${n}`;
      default:
        return n;
    }
  });
  const head: string[] = [];
  if (opts.style === 'module') head.push('import ctypes');
  if (opts.style === 'alias') head.push('import ctypes as ct');
  if (opts.style === 'star') head.push('from ctypes import *');
  if (opts.style === 'names' && names.size) head.push(`from ctypes import ${[...names].sort().join(', ')}`);
  if (util) head.push(opts.style === 'module' ? 'import ctypes.util' : 'from ctypes.util import find_library');
  if (!opts.defines && nativeNames.size) {
    if (opts.nativeAccess === 'module') head.push('from fuzzpkg import native as nat');
    else if (opts.nativeAccess === 'dotted') head.push('import fuzzpkg.native');
    else if (opts.nativeAccess === 'star') head.push('from fuzzpkg.native import *');
    else head.push(`from fuzzpkg.native import ${[...nativeNames].sort().join(', ')}`);
  }
  return [...(opts.extraHead ?? []), ...head, '', ''].join('\n') + text.replace(/\n{3,}/g, '\n\n\n') + '\n';
}

export function generate(seed: number, opts: { cases?: number } = {}): Program {
  const ctx = new Ctx(seed);
  const r = ctx.rng;
  const n = opts.cases ?? r.weighted([[1, 3], [2, 3], [3, 2], [4, 1], [5, 0.5]]);
  const picked = [] as string[];
  const defs: string[] = [];
  const bodies: string[] = [];
  for (let i = 0; i < n; i++) {
    const kase = r.weighted(CASES.map((k) => [k, k.weight ?? 1] as const));
    ctx.beginCase();
    const out = kase.gen(ctx, r, i + 1);
    picked.push(kase.name);
    const shape = out.shapes ? r.pick(out.shapes) : r.weighted<Shape>([['module', 4], ['function', 3], ['method', 1], ['loop', 1], ['try', 1]]);
    defs.push(...(out.defs ?? []).flatMap((d) => [d]), ...(out.defs?.length ? [''] : []));
    bodies.push(`print(${JSON.stringify(`-- ${kase.name}`)})`, ...placeCase(shape, i + 1, { ...out, body: [...ctx.caseDecls, ...out.body] }));
  }
  const styles: ImportStyle[] = ['module', 'alias', 'star', 'names'];
  const mainStyle = r.weighted<ImportStyle>([['module', 4], ['alias', 1], ['star', 3], ['names', 3]]);
  ctx.axes.imports = mainStyle;
  const head = ['# generated by test/fuzz (seed ' + seed + ')'];
  const files: Record<string, string> = {};
  if (!ctx.pkg) {
    files['main.py'] = render([...ctx.declModuleBody(), '', '', ...defs, ...bodies], { style: mainStyle, defines: true, extraHead: head });
  } else {
    const nativeStyle = r.pick(styles);
    const access = r.weighted<'names' | 'module' | 'dotted' | 'star'>([['names', 3], ['module', 2], ['dotted', 1], ['star', 1]]);
    ctx.axes.nativeImports = nativeStyle;
    ctx.axes.nativeAccess = access;
    if (ctx.declInMain) {
      // libraries loaded in the package, declarations and uses here
      const loads = ctx.loadExprs().map(([l, e]) => `${LIB_VAR[l]} = ${e}`);
      files['fuzzpkg/native.py'] = render(loads, { style: nativeStyle, defines: true });
      const mainLines = [...ctx.typeDefs, ...ctx.declModuleBody().filter((l) => !loads.includes(l) && !ctx.typeDefs.includes(l)), '', '', ...defs, ...bodies];
      // in main, the libraries come from the package and the types/aliases are local
      const libNames = new Set(Object.values(LIB_VAR));
      const text = mainLines.join('\n').replace(/\u27ea([^\u27eb]+)\u27eb/g, (m, nm: string) => (libNames.has(nm) ? m : nm));
      files['main.py'] = render(text.split('\n'), { style: mainStyle, defines: false, nativeAccess: access === 'star' ? 'names' : access, extraHead: head });
    } else {
      files['fuzzpkg/native.py'] = render(ctx.declModuleBody(), { style: nativeStyle, defines: true });
      files['main.py'] = render([...defs, ...bodies], { style: mainStyle, defines: false, nativeAccess: access, extraHead: head });
    }
    files['fuzzpkg/__init__.py'] = '';
  }
  return { seed, files, axes: ctx.axes, cases: picked };
}
