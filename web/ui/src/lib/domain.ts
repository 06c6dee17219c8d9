/**
 * normaliseDomain turns what an installation admin typed into the form the server stores (see
 * domain/org.ParseEmailDomain): trimmed, lower case, without a final dot, and an international
 * name in its ASCII (xn--) form, which the browser's URL parser computes. It returns null for
 * anything that is not a DNS name email can be addressed to, so the form says so before sending.
 */
export function normaliseDomain(input: string): string | null {
  let d = input.trim().toLowerCase().replace(/\.$/, '');
  if (/[^\x00-\x7f]/.test(d)) {
    if (/[/?#@:\\%\s]/.test(d)) return null;
    try {
      d = new URL(`http://${d}`).hostname;
    } catch {
      return null;
    }
  }
  if (d.length === 0 || d.length > 253) return null;
  const labels = d.split('.');
  if (labels.length < 2) return null;
  if (!labels.every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l))) return null;
  // A top-level domain is never all digits: "10.0.0.1" is an address.
  if (/^\d+$/.test(labels[labels.length - 1])) return null;
  return d;
}
