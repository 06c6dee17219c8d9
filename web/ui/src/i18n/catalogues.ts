/** Helpers that check translation catalogues; used by the tests that keep both complete. */

export type Tree = { [key: string]: string | Tree };

/** flatten turns a nested catalogue into dotted keys: { a: { b: 'x' } } → { 'a.b': 'x' }. */
export function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

/** missingKeys lists the keys of `from` that `to` lacks. */
export function missingKeys(from: Tree, to: Tree): string[] {
  const target = flatten(to);
  return [...flatten(from).keys()].filter((k) => !target.has(k));
}

/** placeholders are the {{names}} a message interpolates. */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]).sort();
}

// The plural suffixes i18next adds to a key for the forms of a language (CLDR categories).
const PLURAL = /_(zero|one|two|few|many|other)$/;

/**
 * hasKey reports whether a catalogue answers a key used in source: the key itself, or, for a
 * key used with a count, its "_other" form, which every language has.
 */
export function hasKey(flat: Map<string, string>, key: string): boolean {
  return flat.has(key) || flat.has(`${key}_other`);
}

/** pluralsWithoutOther lists plural keys ("x_one") whose "_other" form is missing. */
export function pluralsWithoutOther(tree: Tree): string[] {
  const flat = flatten(tree);
  return [...flat.keys()].filter((k) => PLURAL.test(k) && !flat.has(k.replace(PLURAL, '_other')));
}

/** usedKeys finds the literal keys passed to the t function in a source file. */
export function usedKeys(source: string): string[] {
  return [...source.matchAll(/(?<![\w.$])t\(\s*(['"])([^'"]+)\1/g)].map((m) => m[2]);
}

/** dynamicCalls finds calls of t whose key is not a string literal, which no test can check. */
export function dynamicCalls(source: string): string[] {
  return [...source.matchAll(/(?<![\w.$])t\(\s*(?!['"])([^)\s][^)]*)\)/g)].map((m) => m[0]);
}
