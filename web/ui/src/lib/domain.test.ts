import { describe, expect, it } from 'vitest';
import { normaliseDomain } from './domain';

describe('normaliseDomain', () => {
  it.each([
    ['acme.com', 'acme.com'],
    ['  Acme.COM. ', 'acme.com'],
    ['eng.acme-corp.co.uk', 'eng.acme-corp.co.uk'],
    ['例子.中国', 'xn--fsqu00a.xn--fiqs8s'],
    ['xn--fsqu00a.xn--fiqs8s', 'xn--fsqu00a.xn--fiqs8s'],
  ])('takes %s as %s', (input, want) => {
    expect(normaliseDomain(input)).toBe(want);
  });

  it.each(['', 'localhost', 'acme..com', '-acme.com', 'acme-.com', 'a_b.com', '10.0.0.1', 'name@acme.com', 'acme.com/x', 'https://acme.com', `${'a'.repeat(64)}.com`, '例子.中国/x'])(
    'refuses %j',
    (input) => {
      expect(normaliseDomain(input)).toBeNull();
    },
  );
});
