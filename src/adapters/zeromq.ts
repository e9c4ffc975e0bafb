// memtls/zeromq: TLS 1.2 sessions carried in ZeroMQ messages — a ROUTER keeping one TlsServer per peer
// routing id, and a DEALER client (RFC 5246 over ZeroMQ; docs/ARCHITECTURE.md "Where to make a change").
//
// Wire format. Every ZeroMQ message carries exactly the bytes one takeOutgoing() call returned (one or
// more whole TLS records): a single frame from a DEALER, [routing id, frame] on the ROUTER. Each frame
// received is fed to receive() as is. Inside the TLS stream every application message is a 4-byte
// big-endian length followed by that many bytes, so send(m) on one side yields exactly m on the other
// whatever the record layer did to it.
//
// The ROUTER creates a session when an unknown routing id sends a frame that starts a ClientHello, and
// drops it on close_notify, on failure (after sending the alert), after `idleTimeout` ms without a
// frame from the peer, or when its handshake is not done `handshakeTimeout` ms after it started. A DEALER
// whose connection drops ends its session (unexpected_eof without close_notify). At most
// `maxSessions` sessions live at once; a ClientHello beyond that gets a fatal alert and no session. A
// failure concerns only its own session. Received messages are buffered without limit until iterated:
// there is no backpressure beyond what ZeroMQ's high-water marks give.

import { Dealer, Router } from 'zeromq';
import {
  limitError,
  refusalRecord,
  type ServerConfig,
  type ServerContext,
  type SessionInfo,
  TlsClient,
  type TlsError,
  TlsServer,
} from '../index.js';
import { DEFAULT_MAX_SESSIONS, tooManySessionsError } from './limits.js';
import { type ClientTls, clientContextOf, type ServerTls, serverContextOf } from './secure-context.js';
import {
  channelOf,
  SessionCore,
  type SessionOptions,
  settleSession,
  splitSessionOptions,
  type TlsChannel,
} from './session.js';

export type { ClientTls, ServerTls } from './secure-context.js';
export type { SessionOptions, TlsChannel } from './session.js';

/** One peer's session on the ROUTER, handed to onSession once its handshake is done. */
export interface ZmqTlsSession extends TlsChannel {
  readonly info: SessionInfo;
  /** The peer's ZeroMQ routing id. */
  readonly routingId: Uint8Array;
}

export interface ZmqTlsClient extends TlsChannel {
  readonly info: SessionInfo;
}

/** Options of the ZeroMQ server: where to bind and how many sessions to hold. */
export interface ZmqServerOptions {
  /** A ZeroMQ endpoint, e.g. 'tcp://127.0.0.1:*' for a free port (see `address`). */
  bind: string;
  /** Drop a session after this many ms without a frame from its peer; default 60 000. */
  idleTimeout?: number;
  /** Sessions held at once (handshaking or established); default 1024. A new peer beyond it is refused. */
  maxSessions?: number;
  /**
   * Called when a peer's handshake fails (the alert has been sent) or times out, and when a new peer
   * is refused because `maxSessions` are open (code 'too_many_sessions').
   */
  onClientError?: (error: TlsError, routingId: Uint8Array) => void;
}

/** A running ZeroMQ TLS server: its address, certificate rotation and close(). */
export interface ZmqServer {
  /** The bound endpoint with the actual port, e.g. 'tcp://127.0.0.1:40123'. */
  readonly address: string;
  /**
   * Use `settings` (a server config or a ServerContext) for sessions that start from now on; sessions
   * already open keep theirs. A bad config throws a local TlsError and changes nothing.
   */
  setSecureContext(settings: ServerConfig | ServerContext): void;
  /** Close every session (close_notify) and the socket. */
  close(): Promise<void>;
}

/** Time ZeroMQ keeps trying to deliver queued frames (close_notify, alerts) after close. */
const LINGER_MS = 1000;
const DEFAULT_IDLE_MS = 60_000;

interface Sender {
  send(frames: Uint8Array | Uint8Array[]): Promise<void>;
}

/** zeromq allows one pending send per socket: chain them. */
function serialSender(socket: { send(message: Uint8Array | Uint8Array[]): Promise<void> }) {
  let tail: Promise<void> = Promise.resolve();
  return {
    send(message: Uint8Array | Uint8Array[]): Promise<void> {
      const sent = tail.then(() => socket.send(message));
      tail = sent.catch(() => {});
      return sent;
    },
    drained: () => tail,
  } satisfies Sender & { drained(): Promise<void> };
}

/** A handshake record (22) whose first message is a ClientHello (1): the only way to open a session. */
function startsClientHello(frame: Uint8Array): boolean {
  return frame[0] === 22 && (frame.length < 6 || frame[5] === 1);
}

function unref(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}

/**
 * A ROUTER that runs one TlsServer per peer routing id. Resolves once bound. The TLS settings are the
 * server config inline or `secureContext` from createServerContext(), compiled once.
 */
export async function createZmqServer(
  opts: ServerTls & SessionOptions & ZmqServerOptions,
  onSession: (session: ZmqTlsSession) => void | Promise<void>,
): Promise<ZmqServer> {
  const {
    bind,
    idleTimeout = DEFAULT_IDLE_MS,
    maxSessions = DEFAULT_MAX_SESSIONS,
    onClientError,
    ...others
  } = opts;
  const { session: sessionOptions, rest: tlsSettings } = splitSessionOptions(others);
  let context = serverContextOf(tlsSettings as ServerTls); // a bad configuration throws here, not once per peer
  const router = new Router({ linger: LINGER_MS });
  await router.bind(bind);
  const address = router.lastEndpoint ?? bind;
  const sender = serialSender(router);
  const sessions = new Map<string, { core: SessionCore; idle: ReturnType<typeof setTimeout> | undefined }>();

  const open = (routingId: Uint8Array, key: string): SessionCore => {
    const id = routingId.slice();
    const core = new SessionCore(new TlsServer(context), (bytes) => sender.send([id, bytes]), sessionOptions);
    const entry = { core, idle: undefined as ReturnType<typeof setTimeout> | undefined };
    sessions.set(key, entry);
    core.onEnd = (error) => {
      clearTimeout(entry.idle);
      if (sessions.get(key) === entry) sessions.delete(key);
      if (error && core.info === undefined) onClientError?.(error, id);
    };
    core.ready.then(
      () =>
        settleSession(onSession(channelOf(core, { routingId: id }) as ZmqTlsSession), (e) =>
          onClientError?.(e, id),
        ),
      () => {},
    );
    return core;
  };

  const onFrame = (routingId: Uint8Array, frame: Uint8Array) => {
    const key = String.fromCharCode(...routingId); // routing ids are 1..255 bytes
    let entry = sessions.get(key);
    if (!entry) {
      if (!startsClientHello(frame)) return; // stray frame of a session already dropped
      if (sessions.size >= maxSessions) {
        const refusal = tooManySessionsError(maxSessions);
        sender.send([routingId.slice(), refusalRecord(refusal)]).catch(() => {});
        onClientError?.(refusal, routingId.slice());
        return;
      }
      open(routingId, key);
      entry = sessions.get(key)!;
    }
    const current = entry;
    clearTimeout(current.idle);
    current.idle = setTimeout(() => {
      current.core.connection.close();
      current.core.flush();
      current.core.end(
        limitError('idle_timeout', `no message from the peer for ${idleTimeout} ms (idleTimeout)`),
      );
    }, idleTimeout);
    unref(current.idle);
    current.core.receive(frame);
  };

  const loop = (async () => {
    try {
      for await (const [routingId, frame] of router) {
        if (routingId && frame) onFrame(routingId, frame);
      }
    } catch {
      // the socket was closed
    }
  })();

  return {
    address,
    setSecureContext(settings) {
      context = serverContextOf(settings);
    },
    async close() {
      const all = [...sessions.values()].map((entry) => entry.core);
      for (const core of all) {
        core.connection.close();
        core.flush();
        core.end(undefined);
      }
      await sender.drained();
      router.close();
      await loop;
    },
  };
}

/**
 * A DEALER that connects and performs the handshake (default timeout 120 s); resolves once it is done.
 * The TLS settings are the client config inline or `secureContext` from createClientContext().
 */
export async function connectZmq(
  opts: ClientTls & SessionOptions & { connect: string },
): Promise<ZmqTlsClient> {
  const { connect, ...others } = opts;
  const { session: sessionOptions, rest: tlsSettings } = splitSessionOptions(others);
  const connection = new TlsClient(clientContextOf(tlsSettings as ClientTls));
  const dealer = new Dealer({ linger: LINGER_MS });
  dealer.connect(connect);
  const sender = serialSender(dealer);
  const core = new SessionCore(connection, (bytes) => sender.send(bytes), sessionOptions);
  let closed = false;
  const shutdown = () => {
    if (closed) return;
    closed = true;
    sender.drained().then(() => dealer.close());
  };
  core.onEnd = shutdown;
  // The connection under the session dropped (ZeroMQ would reconnect, but as a new peer): the end of
  // the transport, clean after close_notify, else unexpected_eof.
  dealer.events.on('disconnect', () => core.transportClosed());
  (async () => {
    try {
      for await (const [frame] of dealer) if (frame) core.receive(frame);
    } catch {
      // the socket was closed
    }
  })();
  core.flush(); // the ClientHello
  await core.ready;
  return channelOf(core, {}) as ZmqTlsClient;
}
