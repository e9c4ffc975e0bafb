// Browser side of the bridge example: a mutual-TLS 1.2 client (memtls/websocket, framing 'stream') that
// talks through a plain WebSocket-to-TCP bridge to an ordinary TLS server, e.g. `openssl s_server -rev`.

import { wrapWebSocket } from '../../src/adapters/websocket.js';
import { ecdsaSignatureToDer, type SessionInfo, type Signer } from '../../src/index.js';

export interface PageRun {
  bridgeUrl: string;
  ca: string;
  cert: string;
  /** The client's private key (PEM), or 'webcrypto': the key makeWebCryptoKey() made, via a Signer. */
  key: string;
  serverName: string;
  /** Lines to send; `openssl s_server -rev` answers each with the line reversed. */
  lines: string[];
  timeoutMs?: number;
}

export interface PageResult {
  info: Pick<
    SessionInfo,
    'version' | 'cipherSuite' | 'group' | 'signatureScheme' | 'extendedMasterSecret'
  > & {
    peerCommonName: string | undefined;
  };
  replies: string[];
}

let webCryptoKey: CryptoKeyPair | undefined;

/**
 * A non-extractable WebCrypto P-256 key for this page: its private half never leaves the browser's
 * key store. Returns the public key (SubjectPublicKeyInfo DER) to certify.
 */
export async function makeWebCryptoKey(): Promise<number[]> {
  webCryptoKey = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  return [...new Uint8Array(await crypto.subtle.exportKey('spki', webCryptoKey.publicKey))];
}

const WEBCRYPTO_HASH = { ecdsa_secp256r1_sha256: 'SHA-256', ecdsa_secp384r1_sha384: 'SHA-384' } as const;

/** A Signer over a WebCrypto key: subtle.sign answers later with raw r‖s, which TLS wants as DER. */
async function webCryptoSigner(pair: CryptoKeyPair): Promise<Signer> {
  return {
    publicKey: new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey)),
    schemes: ['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384'],
    async sign(scheme, message) {
      const hash = WEBCRYPTO_HASH[scheme as keyof typeof WEBCRYPTO_HASH];
      const raw = await crypto.subtle.sign({ name: 'ECDSA', hash }, pair.privateKey, new Uint8Array(message));
      log(`signed with the non-extractable WebCrypto key (${scheme})`);
      return ecdsaSignatureToDer(new Uint8Array(raw));
    },
  };
}

function log(line: string): void {
  const pre = document.getElementById('log');
  if (pre) pre.textContent += `${line}\n`;
}

/** Connect, handshake, send each line and collect as many reply lines. */
export async function run(params: PageRun): Promise<PageResult> {
  const tls = wrapWebSocket(
    new WebSocket(params.bridgeUrl),
    {
      ca: params.ca,
      cert: params.cert,
      key: params.key === 'webcrypto' && webCryptoKey ? await webCryptoSigner(webCryptoKey) : params.key,
      serverName: params.serverName,
      framing: 'stream',
      handshakeTimeout: params.timeoutMs ?? 10_000,
    },
    'client',
  );
  const info = await tls.ready;
  log(`handshake: ${info.version} ${info.cipherSuite} ${info.group}`);
  const decoder = new TextDecoder();
  let text = '';
  const replies: string[] = [];
  for (const line of params.lines) await tls.send(new TextEncoder().encode(`${line}\n`));
  for await (const chunk of tls) {
    text += decoder.decode(chunk, { stream: true });
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      replies.push(text.slice(0, newline));
      log(`reply: ${text.slice(0, newline)}`);
      text = text.slice(newline + 1);
      newline = text.indexOf('\n');
    }
    if (replies.length >= params.lines.length) break;
  }
  await tls.close();
  return {
    info: {
      version: info.version,
      cipherSuite: info.cipherSuite,
      group: info.group,
      signatureScheme: info.signatureScheme,
      extendedMasterSecret: info.extendedMasterSecret,
      peerCommonName: info.peerIdentity?.commonName,
    },
    replies,
  };
}

(globalThis as { memtlsRun?: typeof run }).memtlsRun = run;
(globalThis as { memtlsMakeWebCryptoKey?: typeof makeWebCryptoKey }).memtlsMakeWebCryptoKey =
  makeWebCryptoKey;
/** For the test: whether the page's WebCrypto private key can be exported (it must not). */
(globalThis as { memtlsWebCryptoKeyExtractable?: () => boolean }).memtlsWebCryptoKeyExtractable = () =>
  webCryptoKey?.privateKey.extractable ?? true;

/** Opened by hand from serve.ts with --ca/--cert/--key: the server provides the run's parameters. */
async function autoRun(): Promise<void> {
  const response = await fetch('./config.json');
  if (!response.ok) return;
  const result = await run((await response.json()) as PageRun);
  log(`done: ${JSON.stringify(result)}`);
}

if (typeof document !== 'undefined') autoRun().catch((e: unknown) => log(`error: ${String(e)}`));
