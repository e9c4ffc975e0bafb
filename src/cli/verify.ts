// `memtls verify`: validate a certificate chain against one pinned root (RFC 5280 §6 as memtls applies
// it), with the hostname (RFC 6125/9525) and extended key usage checks a TLS peer would make.

import { parseCertificate, parseCrl, printable, type TlsError, toDerList, verifyChain } from '../index.js';
import { isoTime, oneOf, parseArgs, positiveInteger, UsageError } from './args.js';
import { type CliIo, type Command, readInputFile } from './command.js';
import { withFlagNames } from './flag-names.js';

const USAGE = `usage: memtls verify --ca ROOT.pem [--hostname NAME] [--usage server|client]
                     [--at ISO-8601] [--min-rsa-key-bits N] [--crl CRL.pem] [--allow-cn-fallback]
                     CHAIN.pem...

Checks CHAIN (leaf first; further certificates, in the same file or more files, are
intermediates) against the one pinned root ROOT.pem, as a TLS peer would: signatures, validity
at --at (default now), CA flags and path length, key usage, extended key usage for --usage
(default server), --hostname (a DNS name or IP address) against the leaf's SANs, and the
certificate profile (RSA keys of at least --min-rsa-key-bits, default 2048; serials, CA markings,
name constraints and DNS names as strict verifiers require). With --crl (repeatable), the leaf
and every intermediate whose issuer has a CRL must not be listed in it (as openssl verify
-crl_check, plus -crl_check_all for the intermediates that have one); a CRL from neither the
root nor an intermediate of the chain is an error.
--allow-cn-fallback matches --hostname against the Common Name of a leaf without DNS names
(legacy; RFC 9525 forbids it).
Prints "ok: SUBJECT" and exits 0, or "error: CODE: message" and exits 1.`;

const FLAGS = {
  ca: { type: 'string' },
  hostname: { type: 'string' },
  usage: { type: 'string' },
  at: { type: 'string' },
  'min-rsa-key-bits': { type: 'string' },
  crl: { type: 'string', multiple: true },
  'allow-cn-fallback': { type: 'boolean' },
} as const;

/** The config options verify's messages may name, and its flags for them. */
const VERIFY_FLAGS = {
  allowCommonNameFallback: { flag: '--allow-cn-fallback', kind: 'true' },
  minRsaKeyBits: { flag: '--min-rsa-key-bits', kind: 'value' },
} as const;

/** Prefer a specific failure over "unknown_ca" when several roots were tried. */
function mostSpecific(errors: readonly TlsError[]): TlsError {
  return errors.find((e) => e.code !== 'unknown_ca') ?? errors[0]!;
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check a certificate chain against a pinned root',
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { flags, positionals } = parseArgs(argv, FLAGS);
    if (flags.ca === undefined) throw new UsageError('verify needs --ca ROOT.pem');
    if (positionals.length === 0) throw new UsageError('verify needs at least one CHAIN.pem');
    const usage = oneOf(flags.usage, ['server', 'client'] as const, 'usage') ?? 'server';
    const now = isoTime(flags.at, 'at') ?? Date.now();
    const minRsaKeyBits = positiveInteger(flags['min-rsa-key-bits'], 'min-rsa-key-bits');

    const roots = toDerList(readInputFile(flags.ca, 'CA file'), 'CERTIFICATE', { what: flags.ca });
    const chain = positionals.flatMap((path) =>
      toDerList(readInputFile(path, 'certificate file'), 'CERTIFICATE', { what: path }),
    );
    const crls = (flags.crl ?? []).flatMap((path) =>
      toDerList(readInputFile(path, 'CRL file'), 'X509 CRL', { what: path }).map((der) => ({
        path,
        crl: parseCrl(der, path),
      })),
    );
    const issuers = [...roots, ...chain].map((der) => parseCertificate(der).subject.text);
    const stray = crls.find(({ crl }) => !issuers.includes(crl.issuer.text));
    if (stray) {
      io.out(
        `error: ${printable(
          `bad_config: the CRL ${stray.path} is issued by '${stray.crl.issuer.text}', which is neither the root ` +
            'nor an intermediate of the chain, so it cannot be checked',
        )}\n`,
      );
      return 1;
    }
    const failures: TlsError[] = [];
    for (const root of roots) {
      const result = verifyChain({
        chain,
        root,
        now,
        usage,
        ...(flags.hostname === undefined ? {} : { hostname: flags.hostname }),
        ...(minRsaKeyBits === undefined ? {} : { minRsaKeyBits }),
        ...(crls.length === 0 ? {} : { crls: crls.map((c) => c.crl) }),
        ...(flags['allow-cn-fallback'] === true ? { allowCommonNameFallback: true } : {}),
      });
      if (result.ok) {
        io.out(`ok: ${printable(result.identity.subject)}\n`);
        return 0;
      }
      failures.push(result.error);
    }
    const error = mostSpecific(failures);
    io.out(`error: ${printable(`${error.code}: ${withFlagNames(error.message, VERIFY_FLAGS)}`)}\n`);
    return 1;
  },
};
