import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dynamicCalls, flatten, hasKey, missingKeys, placeholders, pluralsWithoutOther, usedKeys, type Tree } from './catalogues';
import enMain from './en';
import messagingEn from './messaging.en';
import messagingZhCN from './messaging.zh-CN';
import zhCNMain from './zh-CN';

// The catalogues as the app has them once messaging's chunk has added its strings (chat/strings.ts).
const en: Tree = { ...enMain, ...messagingEn };
const zhCN: Tree = { ...zhCNMain, ...messagingZhCN };
const catalogues: Record<string, Tree> = { en, 'zh-CN': zhCN };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const srcDir = join(__dirname, '..');

describe('translation catalogues', () => {
  it('keeps messaging’s lazily loaded strings apart from the first load’s', () => {
    const main = new Set(Object.keys(enMain));
    expect(Object.keys(messagingEn).filter((k) => main.has(k))).toEqual([]);
  });

  it('zh-CN has every English key', () => {
    expect(missingKeys(en, zhCN)).toEqual([]);
  });

  it('en has every Chinese key', () => {
    expect(missingKeys(zhCN, en)).toEqual([]);
  });

  it('has no empty message', () => {
    for (const [lang, tree] of Object.entries(catalogues)) {
      const empty = [...flatten(tree)].filter(([, v]) => v.trim() === '').map(([k]) => `${lang}:${k}`);
      expect(empty).toEqual([]);
    }
  });

  it('interpolates the same placeholders in both languages', () => {
    const zh = flatten(zhCN);
    const differ = [...flatten(en)]
      .filter(([k, v]) => zh.has(k) && placeholders(v).join() !== placeholders(zh.get(k)!).join())
      .map(([k]) => k);
    expect(differ).toEqual([]);
  });

  it('has every key the source uses, in both languages', () => {
    const files = sourceFiles(srcDir);
    expect(files.length).toBeGreaterThan(10);
    const absent: string[] = [];
    for (const file of files) {
      for (const key of usedKeys(readFileSync(file, 'utf8'))) {
        for (const [lang, tree] of Object.entries(catalogues)) {
          if (!hasKey(flatten(tree), key)) absent.push(`${lang}:${key} (${file.slice(srcDir.length + 1)})`);
        }
      }
    }
    expect(absent).toEqual([]);
  });

  it('has the "other" form of every plural, which every language needs', () => {
    for (const [lang, tree] of Object.entries(catalogues)) {
      expect(pluralsWithoutOther(tree).map((k) => `${lang}:${k}`)).toEqual([]);
    }
  });

  it('uses only literal keys, so the check above sees them all', () => {
    const dynamic = sourceFiles(srcDir).flatMap((file) => dynamicCalls(readFileSync(file, 'utf8')).map((c) => `${file}: ${c}`));
    expect(dynamic).toEqual([]);
  });
});

describe('the catalogue checks themselves', () => {
  it('notice a key missing from either catalogue', () => {
    const full = { a: { b: 'x', c: 'y' } };
    const partial = { a: { b: 'x' } };
    expect(missingKeys(full, partial)).toEqual(['a.c']);
    expect(missingKeys(partial, full)).toEqual([]);
  });

  it('find keys used in source, and dynamic ones', () => {
    const src = "t('a.b'); t(\"c.d\", { x: 1 }); format(t('e')); i18n.t(x); t(key); t(`x.${y}`)";
    expect(usedKeys(src)).toEqual(['a.b', 'c.d', 'e']);
    expect(dynamicCalls(src)).toEqual(['t(key)', 't(`x.${y}`)']);
  });

  it('accept a key used with a count through its plural forms', () => {
    const flat = flatten({ a: { n_one: '{{count}} thing', n_other: '{{count}} things' }, b: { c_one: 'x' } });
    expect(hasKey(flat, 'a.n')).toBe(true);
    expect(hasKey(flat, 'a.m')).toBe(false);
    expect(pluralsWithoutOther({ b: { c_one: 'x' } })).toEqual(['b.c_one']);
  });

  it('compare placeholders', () => {
    expect(placeholders('Join {{org}} as {{ role }}')).toEqual(['org', 'role']);
  });
});
