"""Python side of the memtls echo example, with TLS set up exactly as the aiomas guide does:
PROTOCOL_TLSv1_2, ECDH+AESGCM, CERT_REQUIRED, one CA file, check_hostname on the client,
OP_SINGLE_ECDH_USE and OP_NO_COMPRESSION.

usage: aiomas_echo.py server CA CERT KEY         (prints "port N", echoes one message, exits)
       aiomas_echo.py client CA CERT KEY PORT HOSTNAME MESSAGE   (prints the reply and the cipher)
"""
import socket
import ssl
import sys


def context(purpose_server: bool, ca: str, cert: str, key: str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if purpose_server else ssl.PROTOCOL_TLS_CLIENT)
    # aiomas: ssl.SSLContext(ssl.PROTOCOL_TLSv1_2); PROTOCOL_TLSv1_2 is deprecated in Python 3.10+,
    # pinning both bounds to TLS 1.2 is the same protocol choice without the warning.
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers('ECDH+AESGCM')
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(ca)
    ctx.load_cert_chain(cert, key)
    ctx.check_hostname = not purpose_server
    ctx.options |= ssl.OP_SINGLE_ECDH_USE | ssl.OP_NO_COMPRESSION
    return ctx


def serve(ca: str, cert: str, key: str) -> None:
    ctx = context(True, ca, cert, key)
    with socket.create_server(('127.0.0.1', 0)) as srv:
        print(f'port {srv.getsockname()[1]}', flush=True)
        conn, _ = srv.accept()
        with ctx.wrap_socket(conn, server_side=True) as tls:
            peer = dict(x[0] for x in tls.getpeercert()['subject'])
            data = tls.recv(65536)
            tls.sendall(data)
            print(f'echoed {len(data)} bytes to {peer.get("commonName")} over {tls.cipher()[0]}', flush=True)
            try:
                tls.unwrap()
            except (ssl.SSLError, OSError):
                pass


def client(ca: str, cert: str, key: str, port: int, hostname: str, message: str) -> None:
    ctx = context(False, ca, cert, key)
    with socket.create_connection(('127.0.0.1', port)) as raw:
        with ctx.wrap_socket(raw, server_hostname=hostname) as tls:
            tls.sendall(message.encode())
            reply = tls.recv(65536).decode()
            print(f'reply {reply}', flush=True)
            print(f'cipher {tls.cipher()[0]} {tls.version()}', flush=True)


if __name__ == '__main__':
    if sys.argv[1] == 'server':
        serve(*sys.argv[2:5])
    else:
        client(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6], sys.argv[7])
