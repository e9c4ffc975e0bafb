// Config option → `memtls` flag: one table, used to build the flags that set limits and to rewrite the
// engine's error messages, which name config options ("set allowCommonNameFallback: true"), into the
// flags a command-line user types instead ("--allow-cn-fallback"). CLI layer only.

/** How a config option is spelled on the command line; `negated` flags set the option to false. */
export interface FlagName {
  readonly flag: string;
  readonly kind: 'value' | 'true' | 'false';
}

/** Numeric limits with a flag named after the option (kebab case): `maxChainBytes` → `--max-chain-bytes`. */
export const LIMIT_OPTIONS = [
  'maxHandshakeMessageSize',
  'maxRecordSize',
  'maxChainCertificates',
  'maxChainBytes',
  'maxSignatureChecks',
  'maxPathCandidates',
  'maxNameConstraintChecks',
  'maxHelloExtensions',
  'maxEmptyRecords',
  'maxWarningAlerts',
  'maxPendingWriteBytes',
  'maxOutgoingBytes',
  'maxRecordsPerReceive',
] as const;

export type LimitOption = (typeof LIMIT_OPTIONS)[number];

/** `maxChainBytes` → `max-chain-bytes`. */
export function kebab(option: string): string {
  return option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Every config option (and memtls/node option) the CLI has a flag for. */
export const FLAG_FOR_OPTION: Readonly<Record<string, FlagName>> = {
  ca: { flag: '--ca', kind: 'value' },
  cert: { flag: '--cert', kind: 'value' },
  key: { flag: '--key', kind: 'value' },
  passphrase: { flag: '--pass', kind: 'value' },
  serverName: { flag: '--servername', kind: 'value' },
  alpn: { flag: '--alpn', kind: 'value' },
  cipherSuites: { flag: '--ciphers', kind: 'value' },
  groups: { flag: '--groups', kind: 'value' },
  signatureSchemes: { flag: '--sigalgs', kind: 'value' },
  keyLog: { flag: '--keylog', kind: 'value' },
  clientAuth: { flag: '--client-auth', kind: 'value' },
  minRsaKeyBits: { flag: '--min-rsa-bits', kind: 'value' },
  allowCommonNameFallback: { flag: '--allow-cn-fallback', kind: 'true' },
  verifyHostname: { flag: '--no-verify-hostname', kind: 'false' },
  requireExtendedMasterSecret: { flag: '--no-require-ems', kind: 'false' },
  allowTruncation: { flag: '--allow-truncation', kind: 'true' },
  handshakeTimeout: { flag: '--handshake-timeout', kind: 'value' },
  crypto: { flag: '--crypto', kind: 'value' },
  ...Object.fromEntries(LIMIT_OPTIONS.map((o) => [o, { flag: `--${kebab(o)}`, kind: 'value' } as const])),
};

/** Options spelled like ordinary words: only their quoted or `name:` forms are rewritten. */
const PLAIN_WORDS = new Set(['ca', 'cert', 'key', 'alpn', 'groups', 'passphrase']);

/**
 * `message` with each config option it names replaced by its flag: "set X: true" → "use --x" for a
 * boolean option, "set X: false" → "use --no-x", "set X: 4096" → "use --x 4096" (and the same without
 * "set"), "(option X)" → "(flag --x)", 'X' and a bare X → --x.
 */
export function withFlagNames(
  message: string,
  table: Readonly<Record<string, FlagName>> = FLAG_FOR_OPTION,
): string {
  let out = message;
  for (const [option, { flag, kind }] of Object.entries(table)) {
    const quotedOnly = PLAIN_WORDS.has(option);
    const word = quotedOnly ? `'${option}'` : `\\b${option}\\b`;
    if (kind !== 'value') {
      const value = kind === 'true' ? 'true' : 'false';
      out = out.replace(new RegExp(`set ${word}: ${value}`, 'g'), `use ${flag}`);
      out = out.replace(new RegExp(`${word}: ${value}`, 'g'), flag);
      // A boolean option named without its value: name the flag that changes it.
      out = out.replace(new RegExp(`\\(option ${word}\\)`, 'g'), `(flag ${flag})`);
      out = out.replace(new RegExp(`'?${word}'?`, 'g'), flag);
      continue;
    }
    out = out.replace(new RegExp(`set ${word}: (\\d+)`, 'g'), `use ${flag} $1`);
    out = out.replace(new RegExp(`${word}: (\\d+)`, 'g'), `${flag} $1`);
    out = out.replace(new RegExp(`\\(option ${word}\\)`, 'g'), `(flag ${flag})`);
    out = out.replace(new RegExp(quotedOnly ? word : `'?${word}'?`, 'g'), flag);
  }
  return out;
}
