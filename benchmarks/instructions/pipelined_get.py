"""Sends N GET requests on one keep-alive connection, DEPTH at a time (pipelined), and checks
that every answer is 200. Used by run.sh while the server runs under callgrind: pipelining keeps
the server's event thread busy between requests, as under load, instead of idle after each one.

    python3 pipelined_get.py PATH N        (env: VIGIL_TOKEN, PORT=8013, DEPTH=8)
"""
import os
import socket
import sys

path, count = sys.argv[1], int(sys.argv[2])
depth = int(os.environ.get("DEPTH", "8"))
port = int(os.environ.get("PORT", "8013"))
request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
           f"Authorization: Bearer {os.environ['VIGIL_TOKEN']}\r\n\r\n").encode()
sock = socket.create_connection(("127.0.0.1", port))
pending = b""


def read_response():
    global pending
    while b"\r\n\r\n" not in pending:
        pending += sock.recv(1 << 20)
    head, rest = pending.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    if not lines[0].startswith(b"HTTP/1.1 200"):
        sys.exit(f"unexpected answer: {lines[0]!r}")
    length = next(int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length"))
    while len(rest) < length:
        rest += sock.recv(1 << 20)
    pending = rest[length:]


done = 0
while done < count:
    batch = min(depth, count - done)
    sock.sendall(request * batch)
    for _ in range(batch):
        read_response()
    done += batch
