import type { BindingModel } from '../analysis/model';

type RegionCalls = BindingModel['regionCalls'][number];

/**
 * What a rule finds in the calls of each region, kept per region while its array of calls is the same object
 * (its region's text and the file's imports unchanged: BindingModel.regionCalls), so a keystroke re-reads one
 * region's calls, not the file's. Only for rules that read a call and `qualify` and nothing else of the model;
 * what they keep must hold the calls' own (region-anchored) spans, copied to plain offsets by applyOptions.
 */
export function perRegionCalls<T>(model: BindingModel, cache: WeakMap<RegionCalls, readonly T[]>, scan: (calls: RegionCalls) => T[]): T[] {
  const out: T[] = [];
  for (const calls of model.regionCalls) {
    if (calls.length === 0) continue;
    let found = cache.get(calls);
    if (!found) cache.set(calls, (found = scan(calls)));
    for (const f of found) out.push(f);
  }
  return out;
}
