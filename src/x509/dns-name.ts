// Host-name syntax for dNSName subjectAltNames and name constraints (RFC 5280 §4.2.1.6, §4.2.1.10;
// RFC 1034 §3.5 preferred name syntax, RFC 1123 §2.1): LDH labels, no empty labels, no underscores.

const LDH_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Why `name` is not a valid dNSName, or undefined when it is. A subjectAltName may start with a
 * whole "*" label (a wildcard); a name constraint may start with "." (subdomains only) or be empty
 * (every name), as OpenSSL, Go and rustls accept, but never holds a wildcard.
 */
export function dnsNameProblem(name: string, use: 'subjectAltName' | 'constraint'): string | undefined {
  if (use === 'constraint' && name === '') return undefined;
  if (name.length === 0) return 'it is empty';
  if (name.length > 253) return 'it is longer than 253 characters';
  let rest = name;
  if (use === 'constraint' && rest.startsWith('.')) rest = rest.slice(1);
  const labels = rest.split('.');
  if (use === 'subjectAltName' && labels[0] === '*' && labels.length > 1) labels.shift();
  for (const label of labels) {
    if (label.length === 0) {
      return name.startsWith('.')
        ? 'it starts with a dot'
        : 'it has an empty label (two dots, or a dot at the end)';
    }
    if (label.includes('_')) return `its label '${label}' holds an underscore, which host names may not`;
    if (label.includes('*'))
      return `its label '${label}' holds '*' (only a whole left-most '*' label is a wildcard)`;
    if (!LDH_LABEL.test(label)) {
      return `its label '${label}' is not letters, digits and inner hyphens of at most 63 characters`;
    }
  }
  return undefined;
}
