// OpenSSL cipher strings (openssl-ciphers(1) "CIPHER LIST FORMAT") resolved to memtls suites: words
// separated by `:` `,` ` ` `;`, each a suite name or aliases joined by `+` (AND), with the prefixes
// `!` (remove for good), `-` (remove), `+` (move to the end), and `@STRENGTH`; `@SECLEVEL=n` is ignored.

import { localError, SUITES, suiteByName, type TlsError } from '../index.js';
import { OPENSSL_SUITES, type OpensslSuite } from './openssl-suites.js';

type Predicate = (s: OpensslSuite) => boolean;

const kx =
  (k: OpensslSuite['kx']): Predicate =>
  (s) =>
    s.kx === k;
const au =
  (a: OpensslSuite['au']): Predicate =>
  (s) =>
    s.au === a;
const enc =
  (...names: string[]): Predicate =>
  (s) =>
    names.includes(s.enc);
const aes = enc('AES', 'AESGCM', 'AESCCM', 'AESCCM8');
const none: Predicate = () => false;

/** Aliases as OpenSSL 3 defines them (RSA means RSA key exchange; SHA256/SHA384 are MACs, never AEAD). */
const ALIASES: Readonly<Record<string, Predicate>> = {
  ALL: (s) => s.enc !== 'NULL',
  COMPLEMENTOFALL: enc('NULL'),
  DEFAULT: (s) => s.inDefault,
  COMPLEMENTOFDEFAULT: (s) => !s.inDefault && s.enc !== 'NULL',
  HIGH: (s) => s.high,
  ENULL: enc('NULL'),
  NULL: enc('NULL'),
  ANULL: au('NULL'),
  KECDHE: kx('ECDHE'),
  KEECDH: kx('ECDHE'),
  ECDH: kx('ECDHE'),
  ECDHE: (s) => s.kx === 'ECDHE' && s.au !== 'NULL',
  EECDH: (s) => s.kx === 'ECDHE' && s.au !== 'NULL',
  AECDH: (s) => s.kx === 'ECDHE' && s.au === 'NULL',
  KDHE: kx('DHE'),
  KEDH: kx('DHE'),
  DH: kx('DHE'),
  DHE: (s) => s.kx === 'DHE' && s.au !== 'NULL',
  EDH: (s) => s.kx === 'DHE' && s.au !== 'NULL',
  ADH: (s) => s.kx === 'DHE' && s.au === 'NULL',
  KRSA: kx('RSA'),
  RSA: kx('RSA'),
  ARSA: au('RSA'),
  AECDSA: au('ECDSA'),
  ECDSA: au('ECDSA'),
  ADSS: au('DSS'),
  DSS: au('DSS'),
  AES: aes,
  AES128: (s) => aes(s) && s.bits === 128,
  AES256: (s) => aes(s) && s.bits === 256,
  AESGCM: enc('AESGCM'),
  AESCCM: enc('AESCCM', 'AESCCM8'),
  AESCCM8: enc('AESCCM8'),
  CHACHA20: enc('CHACHA20'),
  CAMELLIA: enc('CAMELLIA'),
  CAMELLIA128: (s) => s.enc === 'CAMELLIA' && s.bits === 128,
  CAMELLIA256: (s) => s.enc === 'CAMELLIA' && s.bits === 256,
  ARIA: enc('ARIAGCM'),
  ARIAGCM: enc('ARIAGCM'),
  SHA1: (s) => s.mac === 'SHA1',
  SHA: (s) => s.mac === 'SHA1',
  SHA256: (s) => s.mac === 'SHA256',
  SHA384: (s) => s.mac === 'SHA384',
  MD5: (s) => s.mac === 'MD5',
  'TLSV1.2': (s) => s.mac !== 'SHA1' && s.mac !== 'MD5',
  // Families OpenSSL knows that select nothing here (so `!RC4`, `!PSK`... are understood, and harmless).
  ...Object.fromEntries(
    [
      'MEDIUM',
      'LOW',
      'EXP',
      'EXPORT',
      'RC4',
      'RC2',
      'DES',
      '3DES',
      'IDEA',
      'SEED',
      'PSK',
      'KPSK',
      'APSK',
      'SRP',
      'KSRP',
      'ASRP',
      'GOST',
      'KECDH',
      'ECCDHE',
    ].map((n) => [n, none]),
  ),
};

/** The table entry for a memtls suite name (IANA or OpenSSL), if the word names one of ours. */
function byOurName(word: string): OpensslSuite | undefined {
  const ours = suiteByName(word);
  return ours === undefined ? undefined : OPENSSL_SUITES.find((s) => s.name === ours.opensslName);
}

function selector(word: string, whole: string): Predicate {
  const exact = OPENSSL_SUITES.find((s) => s.name === word.toUpperCase()) ?? byOurName(word);
  if (exact) return (s) => s === exact;
  const parts = word.split('+').map((part) => {
    const alias = ALIASES[part.toUpperCase()];
    if (alias === undefined || part.length === 0) {
      throw localError(
        'bad_config',
        `cipher string '${whole}': '${part}' is neither a cipher suite name nor an OpenSSL alias memtls knows`,
      );
    }
    return alias;
  });
  return (s) => parts.every((p) => p(s));
}

/** The OpenSSL suites a cipher string selects, in order (OpenSSL's rule semantics, over our table). */
export function selectOpensslSuites(cipherString: string): OpensslSuite[] {
  // The list holds every suite; `active` marks the selected ones. Moves keep relative order.
  let list = [...OPENSSL_SUITES];
  const active = new Set<OpensslSuite>();
  const killed = new Set<OpensslSuite>();
  const words = cipherString.split(/[:, ;]+/).filter((w) => w.length > 0);
  for (const raw of words) {
    if (/^@SECLEVEL=\d+$/i.test(raw)) continue;
    if (raw.toUpperCase() === '@STRENGTH') {
      const chosen = list.filter((s) => active.has(s)).sort((a, b) => b.bits - a.bits);
      list = [...list.filter((s) => !active.has(s)), ...chosen];
      continue;
    }
    const op = '!-+'.includes(raw[0]!) ? raw[0]! : '';
    const match = selector(op === '' ? raw : raw.slice(1), cipherString);
    const hit = list.filter((s) => match(s) && !killed.has(s));
    if (op === '!') {
      for (const s of hit) {
        killed.add(s);
        active.delete(s);
      }
    } else if (op === '-') {
      const removed = hit.filter((s) => active.has(s));
      for (const s of removed) active.delete(s);
      list = [...removed, ...list.filter((s) => !removed.includes(s))];
    } else if (op === '+') {
      const moved = hit.filter((s) => active.has(s));
      list = [...list.filter((s) => !moved.includes(s)), ...moved];
    } else {
      const added = hit.filter((s) => !active.has(s));
      for (const s of added) active.add(s);
      list = [...list.filter((s) => !added.includes(s)), ...added];
    }
  }
  return list.filter((s) => active.has(s));
}

/** Why memtls has no such suite: the first property it lacks. */
function whyNotOurs(s: OpensslSuite): string {
  if (s.kx === 'RSA') return 'RSA key exchange, no forward secrecy';
  if (s.kx === 'DHE') return 'finite-field DHE key exchange';
  if (s.au === 'NULL') return 'anonymous, no authentication';
  if (s.enc === 'NULL') return 'no encryption';
  if (s.mac !== 'AEAD') return `${s.enc}-${s.bits} in CBC mode with HMAC-${s.mac}, not an AEAD`;
  return `${s.enc}-${s.bits} is not implemented`;
}

/** The error when a cipher string selects none of our suites: it lists what it did select, and why not. */
function noneOfOurs(cipherString: string, selected: readonly OpensslSuite[]): TlsError {
  const ours = Object.values(SUITES)
    .map((s) => s.opensslName)
    .join(', ');
  const shown = selected.slice(0, 12).map((s) => `${s.name} (${whyNotOurs(s)})`);
  const more = selected.length > shown.length ? `, and ${selected.length - shown.length} more` : '';
  const what =
    selected.length === 0
      ? 'selects no cipher suite at all'
      : `selects ${selected.length} suite${selected.length === 1 ? '' : 's'}, none of which memtls speaks: ${shown.join('; ')}${more}`;
  return localError('bad_config', `cipher string '${cipherString}' ${what}. memtls speaks ${ours}`);
}

/**
 * IANA names of the memtls suites an OpenSSL cipher string (or a list of IANA/OpenSSL names) selects,
 * in the string's order. Throws a local bad_config error naming an unknown word, or listing what the
 * string selects when none of it is ours.
 */
export function resolveCipherString(cipherString: string): string[] {
  const selected = selectOpensslSuites(cipherString);
  const ours = selected.flatMap((s) => {
    const suite = suiteByName(s.name);
    return suite === undefined ? [] : [suite.name];
  });
  if (ours.length === 0) throw noneOfOurs(cipherString, selected);
  return ours;
}
