# python3's ssl module in blocking mode doing the work of tls-handshake.ts
# and tls-pingpong.ts (the protocols are described there):
#   tls-peer.py server handshake|pingpong KEY
#   tls-peer.py client handshake|pingpong KEY PORT WARMUP COUNT
# KEY is ecdsa or rsa; the certificates are in $BENCH_TLS_DIR.
import os
import socket
import ssl
import sys
import time


def path(key, name):
    return os.path.join(os.environ['BENCH_TLS_DIR'], f'{key}-{name}')


def server(workload, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(path(key, 'server.pem'), path(key, 'server.key'))
    listener = socket.create_server(('127.0.0.1', 0), backlog=128)
    print(listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                if workload == 'handshake':
                    tls.sendall(b'k')
                    continue
                while True:
                    byte = tls.recv(1)
                    if not byte:
                        break
                    tls.sendall(byte)
        except OSError:
            pass  # a client that went away: the next one


def handshakes(context, port, count):
    start = time.perf_counter()
    for _ in range(count):
        conn = socket.create_connection(('127.0.0.1', port))
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with context.wrap_socket(conn, server_hostname='localhost') as tls:
            if len(tls.recv(1)) != 1:
                raise RuntimeError('early EOF')
    return time.perf_counter() - start


def ping_pong(context, port, warmup, count):
    conn = socket.create_connection(('127.0.0.1', port))
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with context.wrap_socket(conn, server_hostname='localhost') as tls:
        byte = b'x'
        for i in range(warmup + count):
            if i == warmup:
                start = time.perf_counter()
            tls.sendall(byte)
            byte = tls.recv(1)
            if len(byte) != 1:
                raise RuntimeError('early EOF')
        return time.perf_counter() - start


def client(workload, key, port, warmup, count):
    context = ssl.create_default_context(cafile=path(key, 'ca.pem'))
    if workload == 'handshake':
        handshakes(context, port, warmup)
        return handshakes(context, port, count)
    return ping_pong(context, port, warmup, count)


if sys.argv[1] == 'server':
    server(sys.argv[2], sys.argv[3])
else:
    seconds = client(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    print(seconds * 1000, flush=True)
