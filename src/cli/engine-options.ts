// Flags for the engine's remaining config options, shared by `memtls client` and `memtls server`:
// passphrase, signature schemes (OpenSSL `-sigalgs` spellings too), Common Name fallback, RSA floor,
// extended master secret (RFC 7627), the limits (README "Limits"), handshake timeout, --trace/--showcerts,
// the crypto provider.

import { nodeCryptoProvider } from '../adapters/node.js';
import type { CommonConfig } from '../index.js';
import { oneOf, UsageError } from './args.js';
import type { CliIo } from './command.js';
import { kebab, LIMIT_OPTIONS, type LimitOption } from './flag-names.js';
import { readPassphrase } from './passphrase.js';
import { traceHook } from './trace-format.js';

export const ENGINE_FLAGS = {
  pass: { type: 'string' },
  sigalgs: { type: 'string', multiple: true },
  'allow-cn-fallback': { type: 'boolean' },
  'min-rsa-bits': { type: 'string' },
  'no-require-ems': { type: 'boolean' },
  'handshake-timeout': { type: 'string' },
  trace: { type: 'boolean' },
  showcerts: { type: 'boolean' },
  crypto: { type: 'string' },
  ...(Object.fromEntries(LIMIT_OPTIONS.map((o) => [kebab(o), { type: 'string' }])) as Record<
    string,
    { readonly type: 'string' }
  >),
} as const;

type EngineFlagValues = { [K in keyof typeof ENGINE_FLAGS]?: unknown } & Record<string, unknown>;

/** OpenSSL `-sigalgs` names (`ECDSA+SHA256`, `RSA-PSS+SHA256`, `RSA+SHA256`) → IANA scheme names. */
const OPENSSL_SIGALGS: Readonly<Record<string, string>> = {
  'ECDSA+SHA256': 'ecdsa_secp256r1_sha256',
  'ECDSA+SHA384': 'ecdsa_secp384r1_sha384',
  'ECDSA+SHA512': 'ecdsa_secp521r1_sha512',
  'RSA-PSS+SHA256': 'rsa_pss_rsae_sha256',
  'RSA-PSS+SHA384': 'rsa_pss_rsae_sha384',
  'RSA-PSS+SHA512': 'rsa_pss_rsae_sha512',
  'PSS+SHA256': 'rsa_pss_rsae_sha256',
  'PSS+SHA384': 'rsa_pss_rsae_sha384',
  'PSS+SHA512': 'rsa_pss_rsae_sha512',
  'RSA+SHA256': 'rsa_pkcs1_sha256',
  'RSA+SHA384': 'rsa_pkcs1_sha384',
  'RSA+SHA512': 'rsa_pkcs1_sha512',
  ED25519: 'ed25519',
};

/** Colon- or comma-separated values from every occurrence of a flag. */
export function colonList(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(/[:,]/))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** A whole number ≥ 0 for `--flag`; undefined passes through. */
function wholeNumber(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) {
    throw new UsageError(`--${flag} must be a whole number, not '${String(value)}'`);
  }
  return Number(value);
}

export interface EngineOptions {
  readonly config: Partial<CommonConfig>;
  readonly handshakeTimeout?: number;
}

/** The config the engine flags describe (the engine validates the values and names the flag if wrong). */
export function engineConfig(flags: EngineFlagValues, io: CliIo, peer: 'server' | 'client'): EngineOptions {
  const config: Partial<CommonConfig> = {};
  if (typeof flags.pass === 'string') config.passphrase = readPassphrase(flags.pass);
  const sigalgs = colonList(flags.sigalgs as string[] | undefined).map(
    (s) => OPENSSL_SIGALGS[s.toUpperCase()] ?? s,
  );
  if (sigalgs.length > 0) config.signatureSchemes = sigalgs;
  // The crypto provider: pure TypeScript (default) or node:crypto (OpenSSL underneath, faster).
  if (oneOf(flags.crypto as string | undefined, ['noble', 'node'] as const, 'crypto') === 'node') {
    config.crypto = nodeCryptoProvider;
  }
  if (flags['allow-cn-fallback'] === true) config.allowCommonNameFallback = true;
  if (flags['no-require-ems'] === true) config.requireExtendedMasterSecret = false;
  const minRsa = wholeNumber(flags['min-rsa-bits'], 'min-rsa-bits');
  if (minRsa !== undefined) config.minRsaKeyBits = minRsa;
  for (const option of LIMIT_OPTIONS) {
    const value = wholeNumber(flags[kebab(option)], kebab(option));
    if (value !== undefined) (config as Record<LimitOption, number>)[option] = value;
  }
  const hook = traceHook({
    trace: flags.trace === true,
    showcerts: flags.showcerts === true,
    who: peer,
    err: io.err,
    out: io.out,
  });
  if (hook) config.trace = hook;
  const handshakeTimeout = wholeNumber(flags['handshake-timeout'], 'handshake-timeout');
  return handshakeTimeout === undefined ? { config } : { config, handshakeTimeout };
}
