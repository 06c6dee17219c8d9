import { describe, expect, it } from 'vitest';
import { activationCSV, activationQRPath, activationToken, activationTSV, csvCell } from './activation';

const links = [
  { display_name: '张伟', email: 'wei.zhang@example.com', url: 'https://canopy.example/activate/tok-A_1', expires_at: '2030-01-01T00:00:00Z' },
  { display_name: 'Li, "Na"', email: 'na.li@example.com', url: 'https://canopy.example/activate/tok-B_2', expires_at: '2030-01-02T00:00:00Z' },
];

describe('activation links', () => {
  it('find the token at the end of the link, and its QR code', () => {
    expect(activationToken('https://canopy.example/activate/tok-A_1')).toBe('tok-A_1');
    expect(activationToken('https://canopy.example/sub/activate/tok-A_1/')).toBe('tok-A_1');
    expect(activationQRPath('https://canopy.example/activate/tok-A_1')).toBe('/api/v1/activation/tok-A_1/qr.png');
  });

  it('copy as tab-separated lines, names first', () => {
    expect(activationTSV(links)).toBe(
      '张伟\twei.zhang@example.com\thttps://canopy.example/activate/tok-A_1\t2030-01-01T00:00:00Z\n' +
        'Li, "Na"\tna.li@example.com\thttps://canopy.example/activate/tok-B_2\t2030-01-02T00:00:00Z',
    );
    expect(activationTSV([{ display_name: 'A\nB', email: 'a\tb@example.com', url: 'u\nv', expires_at: 'x' }])).toBe('A B\ta b@example.com\tu v\tx');
    // A name that a spreadsheet would run as a formula is pasted as text.
    expect(activationTSV([{ display_name: '=HYPERLINK("x")', email: 'a@example.com', url: 'u', expires_at: 'x' }])).toBe(
      `'=HYPERLINK("x")\ta@example.com\tu\tx`,
    );
  });

  it('download as CSV with a header, names first', () => {
    expect(activationCSV(links)).toBe(
      'name,email,activation_link,expires_at\r\n' +
        '张伟,wei.zhang@example.com,https://canopy.example/activate/tok-A_1,2030-01-01T00:00:00Z\r\n' +
        '"Li, ""Na""",na.li@example.com,https://canopy.example/activate/tok-B_2,2030-01-02T00:00:00Z\r\n',
    );
  });

  it.each([
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['a,b', '"a,b"'],
    ['plain', 'plain'],
  ])('defuse and quote the CSV cell %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});
