import type { LintOptions } from '../rules/lint';
import type { Settings } from './settings';

/** The rules' options from settings; an empty `select` means every rule, as in ruff. */
export function lintOptions(settings: Settings): LintOptions {
  return {
    select: settings.lint.select.length ? settings.lint.select : undefined,
    ignore: settings.lint.ignore,
    severity: settings.lint.severity,
  };
}
