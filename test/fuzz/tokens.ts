/**
 * Generated code is written with tokens resolved per module when the program is rendered: `⟦c_int⟧` is a
 * ctypes name (spelled as that module imports ctypes), `⟪name⟫` a name defined by the declaring module
 * (spelled as the using module imports it).
 */
export const C = (name: string): string => `\u27e6${name}\u27e7`;
export const N = (name: string): string => `\u27ea${name}\u27eb`;
export const FIND_LIBRARY = '\u27e6util:find_library\u27e7';
