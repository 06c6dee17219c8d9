import type { ActivationLink } from '../api/client';

/** activationToken is an activation link's secret: the last segment of its path (<public_url>/activate/<token>). */
export function activationToken(url: string): string {
  let path = url;
  try {
    path = new URL(url, 'https://canopy.invalid').pathname;
  } catch {
    // Not a URL: take the text as it is.
  }
  return path.split('/').filter(Boolean).pop() ?? '';
}

/** activationQRPath is where the server draws an activation link as a QR code. */
export function activationQRPath(url: string): string {
  return `/api/v1/activation/${encodeURIComponent(activationToken(url))}/qr.png`;
}

type Row = Pick<ActivationLink, 'display_name' | 'email' | 'url' | 'expires_at'>;

/** oneLine keeps a value to one cell of one line, whatever it holds. */
function oneLine(value: string): string {
  return value.replace(/[\t\r\n]+/g, ' ');
}

/**
 * defuse keeps a spreadsheet from running a value as a formula (one starting with =, +, -, @, a
 * tab or a carriage return; OWASP's CSV injection advice): names come from imports and identity
 * providers, and pasted lines land in spreadsheets as often as downloaded files do.
 */
function defuse(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * activationTSV is the links as tab-separated lines (name, email, link, valid until), which paste
 * into a spreadsheet or a chat as they are.
 */
export function activationTSV(rows: Row[]): string {
  return rows.map((r) => [r.display_name, r.email, r.url, r.expires_at].map((v) => oneLine(defuse(v))).join('\t')).join('\n');
}

/** csvCell quotes a value for CSV, and defuses one that a spreadsheet would run as a formula. */
export function csvCell(value: string): string {
  const safe = defuse(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** activationCSV is the links as a CSV file with a header row. */
export function activationCSV(rows: Row[]): string {
  const lines = [['name', 'email', 'activation_link', 'expires_at'], ...rows.map((r) => [r.display_name, r.email, r.url, r.expires_at])];
  return lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** download saves text as a file through the browser. */
export function download(name: string, text: string, type: string): void {
  // A byte-order mark so that Excel reads the file as UTF-8.
  const blob = new Blob(['\uFEFF', text], { type });
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(href);
}
