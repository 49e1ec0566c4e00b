/**
 * The extension's settings, typed once. package.json `contributes.configuration` mirrors this schema
 * (test/unit/manifest.test.ts fails when they disagree); the CLI reads the lint part from pyproject.toml.
 */

export type SeverityName = 'error' | 'warning' | 'information' | 'hint';
export type SeveritySetting = SeverityName | 'off';
export type ConvertMode = 'abi-inline' | 'api-outofline';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Settings {
  lint: {
    enable: boolean;
    select: string[];
    ignore: string[];
    severity: Record<string, SeveritySetting>;
  };
  codeAction: {
    disableRuleComment: { enable: boolean };
    fixViolation: { enable: boolean };
  };
  convert: { mode: ConvertMode };
  hover: { enable: boolean };
  /** C headers as the source of prototypes: extra include directories, and library → headers overrides. */
  c: { includePaths: string[]; libraryHeaders: Record<string, string[]> };
  completion: { enable: boolean };
  signatureHelp: { enable: boolean };
  definition: { enable: boolean };
  documentSymbols: { enable: boolean };
  logLevel: LogLevel;
}

export const DEFAULT_SETTINGS: Settings = {
  lint: { enable: true, select: [], ignore: [], severity: {} },
  codeAction: { disableRuleComment: { enable: true }, fixViolation: { enable: true } },
  convert: { mode: 'abi-inline' },
  hover: { enable: true },
  c: { includePaths: [], libraryHeaders: {} },
  completion: { enable: true },
  signatureHelp: { enable: true },
  definition: { enable: true },
  documentSymbols: { enable: true },
  logLevel: 'info',
};

/** Every setting key under the `pypyBindings.` prefix with its default, flattened as in package.json. */
export function flattenDefaults(s: object = DEFAULT_SETTINGS, prefix = 'pypyBindings'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    const key = `${prefix}.${k}`;
    if (v && typeof v === 'object' && !Array.isArray(v) && !(k === 'severity' || k === 'libraryHeaders')) Object.assign(out, flattenDefaults(v, key));
    else out[key] = v;
  }
  return out;
}

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);

/** Merges what a client sent (possibly partial or malformed) over the defaults; bad values are reported, not thrown. */
export function normalizeSettings(raw: unknown, problems: string[] = []): Settings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, any>;
  const d = DEFAULT_SETTINGS;
  const bool = (v: unknown, def: boolean, name: string) => {
    if (v === undefined) return def;
    if (typeof v === 'boolean') return v;
    problems.push(`${name} must be true or false`);
    return def;
  };
  const strings = (v: unknown, name: string): string[] => {
    if (v === undefined) return [];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.map((x) => x.trim().toUpperCase());
    problems.push(`${name} must be a list of rule codes or prefixes`);
    return [];
  };
  const severity: Record<string, SeveritySetting> = {};
  const rawSeverity = r.lint?.severity;
  if (rawSeverity && typeof rawSeverity === 'object') {
    for (const [code, sev] of Object.entries(rawSeverity)) {
      if (typeof sev === 'string' && SEVERITIES.has(sev)) severity[code.toUpperCase()] = sev as SeveritySetting;
      else problems.push(`pypyBindings.lint.severity.${code} must be one of error, warning, information, hint, off`);
    }
  }
  const includePaths = r.c?.includePaths;
  const pathList: string[] = [];
  if (Array.isArray(includePaths) && includePaths.every((x) => typeof x === 'string')) pathList.push(...includePaths);
  else if (includePaths !== undefined) problems.push('pypyBindings.c.includePaths must be a list of directories');
  const libraryHeaders: Record<string, string[]> = {};
  const rawHeaders = r.c?.libraryHeaders;
  if (rawHeaders && typeof rawHeaders === 'object' && !Array.isArray(rawHeaders)) {
    for (const [lib, headers] of Object.entries(rawHeaders)) {
      const list = typeof headers === 'string' ? [headers] : headers;
      if (Array.isArray(list) && list.every((x) => typeof x === 'string')) libraryHeaders[lib.replace(/^lib/, '')] = list;
      else problems.push(`pypyBindings.c.libraryHeaders.${lib} must be a header name or a list of them`);
    }
  } else if (rawHeaders !== undefined) problems.push('pypyBindings.c.libraryHeaders must map library names to headers');
  const mode = r.convert?.mode;
  const logLevel = r.logLevel;
  return {
    lint: {
      enable: bool(r.lint?.enable, d.lint.enable, 'pypyBindings.lint.enable'),
      select: strings(r.lint?.select, 'pypyBindings.lint.select'),
      ignore: strings(r.lint?.ignore, 'pypyBindings.lint.ignore'),
      severity,
    },
    codeAction: {
      disableRuleComment: { enable: bool(r.codeAction?.disableRuleComment?.enable, true, 'pypyBindings.codeAction.disableRuleComment.enable') },
      fixViolation: { enable: bool(r.codeAction?.fixViolation?.enable, true, 'pypyBindings.codeAction.fixViolation.enable') },
    },
    convert: { mode: mode === 'api-outofline' || mode === 'abi-inline' ? mode : (mode !== undefined && problems.push('pypyBindings.convert.mode must be abi-inline or api-outofline'), d.convert.mode) },
    hover: { enable: bool(r.hover?.enable, true, 'pypyBindings.hover.enable') },
    c: { includePaths: pathList, libraryHeaders },
    completion: { enable: bool(r.completion?.enable, true, 'pypyBindings.completion.enable') },
    signatureHelp: { enable: bool(r.signatureHelp?.enable, true, 'pypyBindings.signatureHelp.enable') },
    definition: { enable: bool(r.definition?.enable, true, 'pypyBindings.definition.enable') },
    documentSymbols: { enable: bool(r.documentSymbols?.enable, true, 'pypyBindings.documentSymbols.enable') },
    logLevel: logLevel === 'error' || logLevel === 'warn' || logLevel === 'info' || logLevel === 'debug' ? logLevel : d.logLevel,
  };
}
