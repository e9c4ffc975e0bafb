// OpenSSL's s_client / s_server spellings people paste (`-connect HOST:PORT`, `-CAfile`, `-cipher`, ...)
// rewritten into memtls flags before parsing, where their meaning is unambiguous (openssl-s_client(1),
// openssl-s_server(1)). Anything else with one dash stays as it is and is refused by the parser.

import { type FlagSpecs, UsageError } from './args.js';

/** An OpenSSL option: the memtls flag it becomes (with its value), or what to do with it. */
type Rewrite =
  | { readonly flag: string; readonly takesValue: boolean }
  | { readonly positional: true }
  | { readonly ignore: string }
  | { readonly refuse: string }
  | { readonly clientAuth: 'required' | 'optional' };

const TLS12_ONLY = 'memtls speaks TLS 1.2 only';

const COMMON: Readonly<Record<string, Rewrite>> = {
  '-CAfile': { flag: '--ca', takesValue: true },
  '-cert': { flag: '--cert', takesValue: true },
  '-key': { flag: '--key', takesValue: true },
  '-pass': { flag: '--pass', takesValue: true },
  '-alpn': { flag: '--alpn', takesValue: true },
  '-cipher': { flag: '--ciphers', takesValue: true },
  '-groups': { flag: '--groups', takesValue: true },
  '-curves': { flag: '--groups', takesValue: true },
  '-sigalgs': { flag: '--sigalgs', takesValue: true },
  '-keylogfile': { flag: '--keylog', takesValue: true },
  '-msg': { flag: '--trace', takesValue: false },
  '-trace': { flag: '--trace', takesValue: false },
  '-quiet': { flag: '--quiet', takesValue: false },
  '-starttls': { flag: '--starttls', takesValue: true },
  '-tls1_2': { ignore: TLS12_ONLY },
  '-tls1_3': { refuse: `-tls1_3: ${TLS12_ONLY}` },
  '-tls1_1': { refuse: `-tls1_1: ${TLS12_ONLY}` },
  '-tls1': { refuse: `-tls1: ${TLS12_ONLY}` },
  '-ciphersuites': { refuse: '-ciphersuites sets TLS 1.3 suites; memtls speaks TLS 1.2 only (use -cipher)' },
};

const CLIENT: Readonly<Record<string, Rewrite>> = {
  ...COMMON,
  '-connect': { positional: true },
  '-servername': { flag: '--servername', takesValue: true },
  '-showcerts': { flag: '--showcerts', takesValue: false },
  '-sess_in': { flag: '--sess-in', takesValue: true },
  '-sess_out': { flag: '--sess-out', takesValue: true },
  '-reconnect': { flag: '--reconnect', takesValue: false },
  '-CRL': { flag: '--crl', takesValue: true },
};

const SERVER: Readonly<Record<string, Rewrite>> = {
  ...COMMON,
  '-accept': { flag: '--port', takesValue: true },
  '-port': { flag: '--port', takesValue: true },
  '-Verify': { clientAuth: 'required' },
  '-verify': { clientAuth: 'optional' },
  '-showcerts': { flag: '--showcerts', takesValue: false },
  '-CRL': { flag: '--crl', takesValue: true },
};

/**
 * argv with OpenSSL spellings rewritten for `role`. `specs` are the command's own flags, so their values
 * are passed over untouched. `notes` receives a line for each OpenSSL option accepted but not needed.
 */
export function fromOpensslSpelling(
  argv: readonly string[],
  role: 'client' | 'server',
  specs: FlagSpecs,
  notes: string[] = [],
): string[] {
  const table = role === 'client' ? CLIENT : SERVER;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith('--')) {
      out.push(arg);
      const spec = arg.includes('=') ? undefined : specs[arg.slice(2)];
      if (spec?.type === 'string' && i + 1 < argv.length) out.push(argv[++i]!);
      continue;
    }
    const rewrite = Object.hasOwn(table, arg) ? table[arg]! : undefined;
    if (rewrite === undefined) {
      out.push(arg);
      continue;
    }
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`option '${arg}' needs a value`);
      i++;
      return next;
    };
    if ('positional' in rewrite) out.push(value());
    else if ('ignore' in rewrite) notes.push(`${arg}: ${rewrite.ignore}`);
    else if ('refuse' in rewrite) throw new UsageError(rewrite.refuse);
    else if ('clientAuth' in rewrite) {
      value(); // the verify depth: memtls bounds chains with --max-chain-certificates instead
      out.push('--client-auth', rewrite.clientAuth);
    } else if (rewrite.takesValue) {
      let v = value();
      // OpenSSL's -accept takes [host:]port.
      if (arg === '-accept' && v.includes(':')) {
        const cut = v.lastIndexOf(':');
        out.push('--host', v.slice(0, cut).replace(/^\[(.*)\]$/, '$1'));
        v = v.slice(cut + 1);
      }
      out.push(rewrite.flag, v);
    } else out.push(rewrite.flag);
  }
  return out;
}
