import type { Region } from '../documents/parsedDocument';
import { CTYPES_EXPORTS } from './ctypesNames';
import { regionFacts, type RegionFacts } from './regionFacts';
import { REFCOUNT_GUARDS } from '../rules/pypyRules';

const NONE: RegionFacts = Object.freeze({ imports: [], assigns: [], calls: [], attrs: [], classes: [] }) as unknown as RegionFacts;

/**
 * Names through which a region can matter before anything else is known: modules (`_ctypes` for PB201's
 * PyObj_FromPtr), calls some rules need, and the imports that guard PB202 (read from every import of the file).
 */
export const SEEDS = ['ctypes', '_ctypes', 'cffi', 'cppyy', '_rawffi', '_ffi', '_cffi_backend', 'ffi', 'MixedModule', 'Extension', 'getrefcount', 'import_module', '__import__', ...REFCOUNT_GUARDS];

/**
 * Any import (at any depth: the link qualifies names by every import of the file) can change what a name of a
 * relevant region means: `import sys as s` for `s.getrefcount`, `from lib import bytes` for PB206's `bytes(…)`.
 */
export const IMPORT_WORD = /\bimport\b/;

export function namesPattern(names: Set<string>): RegExp {
  return new RegExp(`\\b(?:${[...names].join('|')})\\b`);
}

/**
 * For one-shot analysis (the CLI): the facts of the regions that can contribute to the model, and none for the
 * rest. The linker resolves bindings only through names, so a region matters only if it holds an import or its
 * text mentions a name that is, or was bound from, a binding module; starting from the seeds, names bound in the regions found
 * (imports, assignment targets whose value mentions such a name, classes deriving from one) are added until
 * nothing new is found. In the editor every region is analysed, so edits never need this fixpoint.
 */
export function relevantRegionFacts(regions: readonly Region[]): RegionFacts[] {
  return relevantFixpoint(regions).facts;
}

/** relevantRegionFacts with the names it found (`every`: a star import of an unknown module made every region count). */
export function relevantFixpoint(regions: readonly Region[]): { facts: RegionFacts[]; names: Set<string>; every: boolean } {
  const names = new Set(SEEDS);
  const out: (RegionFacts | undefined)[] = regions.map(() => undefined);
  let starElsewhere = false;
  for (let grew = true; grew; ) {
    grew = false;
    const pattern = namesPattern(names);
    const before = names.size;
    regions.forEach((region, i) => {
      if (out[i] || !(pattern.test(region.text) || IMPORT_WORD.test(region.text))) return;
      const facts = regionFacts(region);
      out[i] = facts;
      for (const imp of facts.imports) {
        // `from ctypes import *` binds every ctypes name; a star import of any other module, names we cannot list
        if (imp.star && imp.module === 'ctypes') for (const n of CTYPES_EXPORTS) names.add(n);
        else if (imp.star) starElsewhere = true;
        if (imp.boundName) names.add(imp.boundName);
        for (const n of imp.names) names.add(n.asName);
      }
      for (const a of facts.assigns) {
        const root = /^[A-Za-z_]\w*/.exec(a.target.text)?.[0];
        if (root && pattern.test(a.value.text)) names.add(root);
      }
      for (const c of facts.classes) if (c.bases.some((b) => pattern.test(b))) names.add(c.name);
    });
    grew = names.size > before;
    if (starElsewhere) return { facts: regions.map((r) => regionFacts(r)), names, every: true };
  }
  return { facts: out.map((f) => f ?? NONE), names, every: false };
}
