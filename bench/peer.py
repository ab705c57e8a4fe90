# The reference the seeds were measured against: python3's socket module in
# blocking mode doing the work of bench/peer.c (protocol in common.ts).
#   peer.py server WORKLOAD | peer.py client WORKLOAD PORT WARMUP AMOUNT
import socket
import sys
import time

CHUNK = 256 * 1024
DATAGRAM = 64


def server(workload):
    kind = socket.SOCK_DGRAM if workload == 'udp' else socket.SOCK_STREAM
    listener = socket.socket(socket.AF_INET, kind)
    listener.bind(('127.0.0.1', 0))
    if workload != 'udp':
        listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    buffer = bytearray(CHUNK)
    while True:
        if workload == 'udp':
            n, peer = listener.recvfrom_into(buffer)
            listener.sendto(memoryview(buffer)[:n], peer)
            continue
        conn, _ = listener.accept()
        if workload == 'bulk':
            while conn.recv_into(buffer) > 0:
                pass
            conn.sendall(b'k')
        elif workload == 'pingpong':
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            byte = bytearray(1)
            while conn.recv_into(byte) > 0:
                conn.send(byte)
        conn.close()


def run(port, workload, amount):
    if workload == 'connect':
        byte = bytearray(1)
        start = time.perf_counter()
        for _ in range(amount):
            with socket.create_connection(('127.0.0.1', port)) as conn:
                if conn.recv_into(byte) != 0:
                    raise RuntimeError('data instead of EOF')
        return time.perf_counter() - start
    kind = socket.SOCK_DGRAM if workload == 'udp' else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.connect(('127.0.0.1', port))
        if workload == 'udp':
            datagram = bytearray(DATAGRAM)
            start = time.perf_counter()
            for _ in range(amount):
                sock.send(datagram)
                sock.recv_into(datagram)
            return time.perf_counter() - start
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        start = time.perf_counter()
        if workload == 'bulk':
            chunk = bytes(CHUNK)
            for _ in range(0, amount, CHUNK):
                sock.sendall(chunk)
            sock.shutdown(socket.SHUT_WR)
            sock.recv(1)
        else:
            byte = bytearray(b'x')
            for _ in range(amount):
                sock.send(byte)
                sock.recv_into(byte)
        return time.perf_counter() - start


if sys.argv[1] == 'server':
    server(sys.argv[2])
else:
    port, warmup, amount = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    run(port, sys.argv[2], warmup)
    print(f'{run(port, sys.argv[2], amount):.9f}')
