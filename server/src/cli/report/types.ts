/** The readiness report's data (shared by the CLI, the server's request and the client's webview). */
import type { Severity } from '../../rules/catalogue';

/** The binding styles, in the order of PyPy's guide ("from most directly useful to most messy"), then the two it advises against. */
export const STYLES = [
  { id: 'cffi', label: 'CFFI', note: 'the guide\'s first choice' },
  { id: 'ctypes', label: 'ctypes', note: 'runs on PyPy, through a slow pure-Python layer' },
  { id: 'cppyy', label: 'cppyy', note: 'C++ through Cling' },
  { id: 'mixedmodule', label: 'RPython mixed module', note: 'only inside a PyPy source tree' },
  { id: 'capi', label: 'CPython C-API', note: 'cpyext: slow emulation, rebuilt for PyPy' },
  { id: 'rawffi', label: '_rawffi / _ffi', note: 'PyPy internals: not to be used directly' },
] as const;
export type StyleId = (typeof STYLES)[number]['id'];

export interface Located {
  line: number;
  text: string;
}

export interface LibraryReport {
  name: string;
  line: number;
  /** `ctypes.CDLL` … */
  loader: string;
  /** Which loading call this is (the same library imported into several modules has one key). */
  key: string;
  /** The module that loads it, when not this one (imported, or loaded by another module's function). */
  loadedIn?: string;
  functions: string[];
  /** The functions the converter turns into cffi today (a subset of `functions`). */
  convertible: string[];
}

export interface ModuleReport {
  /** Absolute path. */
  file: string;
  /** Path relative to the root it was found under (what the report prints). */
  path: string;
  module: string;
  styles: StyleId[];
  severities: Record<Severity, number>;
  findings: (Located & { code: string; severity: Severity })[];
  libraries: LibraryReport[];
  /** Functions declared in cffi cdefs (already the guide's first choice). */
  cffiFunctions: number;
  /** What stops the module from running on PyPy (errors) or from converting (the converter's reasons). */
  blockers: (Located & { kind: 'pypy' | 'convert'; code?: string })[];
}

export interface PackageReport {
  name: string;
  dir: string;
  modules: ModuleReport[];
}

export interface StartWith {
  file: string;
  path: string;
  line: number;
  reason: string;
}

export interface ReadinessReport {
  roots: string[];
  filesScanned: number;
  packages: PackageReport[];
  startWith: StartWith[];
  totals: { modules: number; functions: number; convertible: number; cffiFunctions: number; severities: Record<Severity, number>; styles: Record<StyleId, number> };
  /** Files that could not be read or analysed, with the reason. */
  problems: string[];
}


/** The language server's request for the report of folders (file: URIs); the answer is a ReadinessReport. */
export const READINESS_REQUEST = 'pypyBindings/readinessReport';
export interface ReadinessParams {
  folders: string[];
}
