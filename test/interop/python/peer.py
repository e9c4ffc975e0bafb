#!/usr/bin/env python3
"""Python `ssl` peer for the memtls interop matrix (test/interop/peers/python.ts drives it).

Contexts are set up the way aiomas sets up its TLS channels:

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1_2)
    ctx.set_ciphers('ECDH+AESGCM')
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(ca)
    ctx.check_hostname = True          # client side
    ctx.options |= ssl.OP_SINGLE_ECDH_USE | ssl.OP_NO_COMPRESSION
    ctx.load_cert_chain(cert, key)

'ECDH+AESGCM' selects only the ECDHE AES-GCM suites, so ChaCha20-Poly1305 is never offered by this
peer. Deviations, only where a case asks for them: --no-client-auth (server: CERT_NONE), --ciphers
(another cipher string), --legacy-version TLSv1|TLSv1.1 (only that version, at SECLEVEL=0, for the
protocol_version case),
--client-preference (server: clear OP_CIPHER_SERVER_PREFERENCE, which Python sets by default, so the
client's preferred ECDHE group wins; restricting groups instead would also refuse P-256 certificates).

Every line on stdout is one JSON object: {"event": "listening" | "session" | "done" | "error", ...}.
"""
import argparse
import hashlib
import json
import os
import socket
import ssl
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)  # PROTOCOL_TLSv1_2 is deprecated, and is what aiomas uses


def emit(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def make_context(args, server_side):
    if args.legacy_version:
        version = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1}[args.legacy_version]
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server_side else ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = version
        ctx.maximum_version = version
        ctx.set_ciphers(args.ciphers or "DEFAULT@SECLEVEL=0")
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1_2)
        ctx.set_ciphers(args.ciphers or "ECDH+AESGCM")
    if server_side and args.no_client_auth:
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(args.ca)
    if not server_side:
        ctx.check_hostname = True
    ctx.options |= ssl.OP_SINGLE_ECDH_USE | ssl.OP_NO_COMPRESSION
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    if server_side and args.client_preference:
        ctx.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
    if args.alpn:
        ctx.set_alpn_protocols(args.alpn.split(","))
    return ctx


def common_name(cert):
    for rdn in (cert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return None


def session_fields(sock):
    return {
        "cipher": sock.cipher()[0],
        "version": sock.version(),
        "alpn": sock.selected_alpn_protocol(),
        "peerCn": common_name(sock.getpeercert()),
    }


def error_fields(e):
    return {"error": "%s: %s" % (type(e).__name__, e), "reason": getattr(e, "reason", None)}


def run_server(args):
    ctx = make_context(args, server_side=True)
    seen = {"sni": None}

    def on_sni(sslobj, name, context):
        seen["sni"] = name

    ctx.sni_callback = on_sni
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    emit(event="listening", port=listener.getsockname()[1])
    conn, _ = listener.accept()
    listener.close()
    try:
        sock = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError) as e:
        emit(event="error", **error_fields(e))
        conn.close()
        return 1
    emit(event="session", sni=seen["sni"], **session_fields(sock))
    digest = hashlib.sha256()
    received = 0
    try:
        while True:
            data = sock.recv(65536)
            if not data:  # close_notify
                break
            digest.update(data)
            received += len(data)
            sock.sendall(data)
        sock.unwrap()
    except (ssl.SSLError, OSError) as e:
        emit(event="error", received=received, **error_fields(e))
        return 1
    finally:
        sock.close()
    emit(event="done", received=received, sha256=digest.hexdigest())
    return 0


def payload(transfer):
    kind, _, size = transfer.partition(":")
    if kind == "echo":
        return [b"hello from the interop matrix\n"]
    if kind == "small":
        count = int(size)
        return [("small write %d of %d\n" % (i, count)).encode() for i in range(count)]
    if kind == "large":
        block = os.urandom(1 << 16)
        total = int(size)
        return [block[: min(1 << 16, total - offset)] for offset in range(0, total, 1 << 16)]
    return []


def run_client(args):
    ctx = make_context(args, server_side=False)
    raw = socket.create_connection(("127.0.0.1", args.port), timeout=30)
    try:
        sock = ctx.wrap_socket(raw, server_hostname=args.server_name)
    except (ssl.SSLError, OSError) as e:
        emit(event="error", **error_fields(e))
        raw.close()
        return 1
    emit(event="session", **session_fields(sock))
    pieces = payload(args.transfer)
    sent_digest = hashlib.sha256()
    received_digest = hashlib.sha256()
    sent = sum(len(p) for p in pieces)
    received = 0
    try:
        for piece in pieces:
            sent_digest.update(piece)
            sock.sendall(piece)
        while received < sent:
            data = sock.recv(65536)
            if not data:
                break
            received_digest.update(data)
            received += len(data)
        sock.unwrap()
    except (ssl.SSLError, OSError) as e:
        emit(event="error", received=received, **error_fields(e))
        return 1
    finally:
        sock.close()
    emit(
        event="done",
        sent=sent,
        received=received,
        sentSha256=sent_digest.hexdigest(),
        sha256=received_digest.hexdigest(),
    )
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["server", "client"])
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--ciphers")
    parser.add_argument("--alpn")
    parser.add_argument("--legacy-version", choices=["TLSv1", "TLSv1.1"])
    parser.add_argument("--no-client-auth", action="store_true")
    parser.add_argument("--client-preference", action="store_true")
    parser.add_argument("--port", type=int)
    parser.add_argument("--server-name", default="server.test")
    parser.add_argument("--transfer", default="echo")
    args = parser.parse_args()
    return run_server(args) if args.mode == "server" else run_client(args)


if __name__ == "__main__":
    sys.exit(main())
