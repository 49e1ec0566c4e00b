import type { Settings } from '../config/settings';
import { RULES } from '../rules/catalogue';
import { UsageError } from './usage';

export const OUTPUT_FORMATS = ['text', 'concise', 'json', 'github', 'sarif', 'junit'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface CheckOptions {
  paths: string[];
  format: OutputFormat;
  /** Rule selection from the command line, over `[tool.pypy-bindings]` (ruff's precedence). */
  select?: string[];
  extendSelect: string[];
  ignore: string[];
  fix: boolean;
  unsafeFixes: boolean;
  diff: boolean;
  statistics: boolean;
  exitZero: boolean;
  quiet: boolean;
}

/** A comma-separated list of rule selectors; each must name a rule code or prefix (or ALL), as ruff insists. */
function selectors(option: string, value: string | undefined): string[] {
  if (value === undefined || value.startsWith('-')) throw new UsageError(`${option} needs a comma-separated list of rule codes`);
  const out = value.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  for (const s of out) {
    if (s !== 'ALL' && !RULES.some((r) => r.code.startsWith(s))) throw new UsageError(`${option}: unknown rule selector "${s}" (rule codes are PB101…; see docs/rules.md)`);
  }
  return out;
}

/** Parses `check`'s arguments (`--opt value` and `--opt=value` alike). */
export function parseCheckOptions(args: string[]): CheckOptions {
  const o: CheckOptions = { paths: [], format: 'text', extendSelect: [], ignore: [], fix: false, unsafeFixes: false, diff: false, statistics: false, exitZero: false, quiet: false };
  for (let i = 0; i < args.length; i++) {
    let a = args[i]!;
    let inline: string | undefined;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const value = () => inline ?? args[++i];
    switch (a) {
      case '--output-format':
      case '--format': {
        const f = value();
        if (!OUTPUT_FORMATS.includes(f as OutputFormat)) throw new UsageError(`${a} takes ${OUTPUT_FORMATS.join(', ')}, not "${f ?? ''}"`);
        o.format = f as OutputFormat;
        break;
      }
      case '--select':
        o.select = [...(o.select ?? []), ...selectors(a, value())];
        break;
      case '--extend-select':
        o.extendSelect.push(...selectors(a, value()));
        break;
      case '--ignore':
        o.ignore.push(...selectors(a, value()));
        break;
      case '--fix':
        o.fix = true;
        break;
      case '--no-fix':
        o.fix = false;
        break;
      case '--unsafe-fixes':
        o.unsafeFixes = true;
        break;
      case '--diff':
        o.diff = true;
        break;
      case '--statistics':
        o.statistics = true;
        break;
      case '--exit-zero':
        o.exitZero = true;
        break;
      case '-q':
      case '--quiet':
        o.quiet = true;
        break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        o.paths.push(a);
    }
    if (inline !== undefined && !['--output-format', '--format', '--select', '--extend-select', '--ignore'].includes(a)) {
      throw new UsageError(`${a} takes no value`);
    }
  }
  if (o.paths.length === 0) throw new UsageError('check needs at least one PATH');
  if (o.fix && o.diff) throw new UsageError('--fix and --diff cannot be combined (--diff shows the fixes without writing them)');
  if (o.statistics && (o.fix || o.diff)) throw new UsageError('--statistics cannot be combined with --fix or --diff');
  return o;
}

/**
 * The rule selection for one file: the command line over its pyproject.toml, as ruff layers them. A `--select`
 * replaces the file's select and ignore; without one, `--extend-select` adds to the file's select and
 * `--ignore` to its ignore. Severity overrides always come from the file.
 */
export function withCommandLine(settings: Settings, o: CheckOptions): Settings {
  const lint = settings.lint;
  let select: string[];
  let ignore: string[];
  if (o.select) {
    select = [...o.select, ...o.extendSelect];
    ignore = [...o.ignore];
  } else {
    select = lint.select.length && o.extendSelect.length ? [...lint.select, ...o.extendSelect] : [...lint.select];
    ignore = [...lint.ignore, ...o.ignore];
  }
  return { ...settings, lint: { ...lint, select, ignore } };
}
