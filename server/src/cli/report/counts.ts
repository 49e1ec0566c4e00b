import type { ModuleReport } from './types';

/**
 * Foreign functions counted once per library and name, however many modules use them (a library loaded in
 * one module and used in others); one converts when the converter converts it in the module that loads the
 * library (the modules that import the library then use a cffi lib).
 */
export function distinctFunctions(modules: readonly ModuleReport[]): { functions: number; convertible: number } {
  const fns = new Map<string, boolean>();
  for (const m of modules) {
    for (const l of m.libraries) {
      for (const f of l.functions) {
        const k = `${l.key}\0${f}`;
        fns.set(k, (fns.get(k) ?? false) || (l.loadedIn === undefined && l.convertible.includes(f)));
      }
    }
  }
  return { functions: fns.size, convertible: [...fns.values()].filter(Boolean).length };
}
