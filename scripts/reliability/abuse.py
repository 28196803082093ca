#!/usr/bin/env python3
"""Abuse suite: malformed, oversized, smuggling, slow and flooding clients against the full
`vigil serve` (the HTTP module's own tests cover the parser alone). Every case checks the status
docs/http-server.md promises, that a refused connection is closed, and that /healthz then answers
200 quickly from a new connection.

    scripts/reliability/abuse.py [--long]     (VIGIL_BIN=path/to/vigil to pick the binary)

Short form: ~40 s (slow clients wait for the server's 10 s deadlines). Long form: thousands of
idle and trickling connections, larger floods.
"""

import resource
import socket
import sys
import threading
import time

from harness import LatencyProbe, Report, Server, long_form, percentiles, raw_exchange, statuses

LONG = long_form(sys.argv)
# A healthz after a case must answer within this; a few ms is usual, the slack is for a busy CI.
HEALTHZ_AFTER_MS = 500

H = "Host: 127.0.0.1\r\n"
big_value = "v" * (8 * 1024)

# (name, request bytes, acceptable statuses). One status unless the docs leave a choice.
CASES = [
    # Malformed request lines
    ("empty request line then junk", b"\r\n\r\n\x00\x01\x02\r\n\r\n", {400}),
    ("method only", b"GET\r\n" + H.encode() + b"\r\n", {400}),
    ("double space in request line", f"GET  /healthz HTTP/1.1\r\n{H}\r\n".encode(), {400}),
    ("extra token in request line", f"GET /healthz HTTP/1.1 x\r\n{H}\r\n".encode(), {400}),
    ("lower-case version", f"GET /healthz http/1.1\r\n{H}\r\n".encode(), {400}),
    ("bad version", f"GET /healthz HTTX/1.1\r\n{H}\r\n".encode(), {400}),
    ("HTTP/2.0 request line", f"GET /healthz HTTP/2.0\r\n{H}\r\n".encode(), {505}),
    ("TLS ClientHello to the plain port", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32)) + b"\r\n\r\n", {400}),
    ("control byte in target", f"GET /health\x01z HTTP/1.1\r\n{H}\r\n".encode(), {400}),
    ("0xff byte in target", b"GET /healthz\xff HTTP/1.1\r\n" + H.encode() + b"\r\n", {400}),
    ("invalid percent-encoding", f"GET /v1/incidents?q=%zz HTTP/1.1\r\n{H}\r\n".encode(), {400}),
    ("fragment in target", f"GET /healthz#x HTTP/1.1\r\n{H}\r\n".encode(), {400}),
    ("asterisk target outside OPTIONS", f"GET * HTTP/1.1\r\n{H}\r\n".encode(), {400}),
    ("CONNECT", f"CONNECT 127.0.0.1:443 HTTP/1.1\r\n{H}\r\n".encode(), {501}),
    ("unknown method on a known path", f"BREW /healthz HTTP/1.1\r\n{H}\r\n".encode(), {405}),
    # Malformed headers
    ("missing Host", b"GET /healthz HTTP/1.1\r\nX-A: 1\r\n\r\n", {400}),
    ("duplicate Host", f"GET /healthz HTTP/1.1\r\n{H}{H}\r\n".encode(), {400}),
    ("invalid Host", b"GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n", {400}),
    ("field without colon", f"GET /healthz HTTP/1.1\r\n{H}NoColonHere\r\n\r\n".encode(), {400}),
    ("whitespace before colon", f"GET /healthz HTTP/1.1\r\n{H}X-A : 1\r\n\r\n".encode(), {400}),
    ("NUL in field value", f"GET /healthz HTTP/1.1\r\n{H}X-A: a\x00b\r\n\r\n".encode(), {400}),
    ("empty field name", f"GET /healthz HTTP/1.1\r\n{H}: x\r\n\r\n".encode(), {400}),
    ("unknown expectation", f"GET /healthz HTTP/1.1\r\n{H}Expect: magic\r\n\r\n".encode(), {417}),
    # Oversized
    ("request line over 8 KiB (URI)", f"GET /v1/incidents?q={'a' * 8200} HTTP/1.1\r\n{H}\r\n".encode(), {414}),
    ("header field over 8 KiB", f"GET /healthz HTTP/1.1\r\n{H}X-Big: {big_value}\r\n\r\n".encode(), {431}),
    ("header section over 16 KiB",
     (f"GET /healthz HTTP/1.1\r\n{H}" + "".join(f"X-{i}: {'v' * 4000}\r\n" for i in range(5)) + "\r\n").encode(), {431}),
    ("more than 100 fields", (f"GET /healthz HTTP/1.1\r\n{H}" + "".join(f"X-{i}: 1\r\n" for i in range(101)) + "\r\n").encode(),
     {431}),
    ("Authorization over 8 KiB", f"GET /v1/incidents HTTP/1.1\r\n{H}Authorization: Bearer {'t' * 8300}\r\n\r\n".encode(),
     {431}),
    ("Content-Length over the 1 MiB JSON limit (head only)",
     f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Type: application/json\r\nContent-Length: {2 << 20}\r\n\r\n".encode(), {413}),
    ("Content-Length over the 64 MiB import limit (head only)",
     f"POST /v1/incidents/import HTTP/1.1\r\n{H}Content-Type: text/csv\r\nContent-Length: {65 << 20}\r\n\r\n".encode(),
     {413}),
    ("chunked body growing over 1 MiB",
     (f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
      + ("%x\r\n%s\r\n" % (600 * 1024, "x" * (600 * 1024))) * 2).encode(), {413}),
    # Smuggling
    ("Content-Length with Transfer-Encoding",
     f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".encode(), {400}),
    ("Transfer-Encoding then Content-Length",
     f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n".encode(), {400}),
    ("two equal Content-Lengths", f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Length: 1\r\nContent-Length: 1\r\n\r\nx".encode(),
     {400}),
    ("two different Content-Lengths",
     f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Length: 1\r\nContent-Length: 2\r\n\r\nxy".encode(), {400}),
    ("list-valued Content-Length", f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Length: 1, 1\r\n\r\nx".encode(), {400}),
    ("signed Content-Length", f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Length: +1\r\n\r\nx".encode(), {400}),
    ("negative Content-Length", f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Length: -1\r\n\r\n".encode(), {400}),
    ("hex Content-Length", f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Length: 0x10\r\n\r\n".encode(), {400}),
    ("overflowing Content-Length", f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Length: 99999999999999999999999\r\n\r\n".encode(),
     {400}),
    ("TE: xchunked", f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n".encode(), {501}),
    ("TE: gzip, chunked", f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n".encode(), {501}),
    ("TE: chunked, identity", f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n".encode(),
     {400, 501}),
    ("two TE fields, chunked then identity",
     f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n".encode(),
     {400, 501}),
    ("TE with space before colon", f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n".encode(), {400}),
    ("TE with vertical tab", f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n".encode(), {400}),
    ("TE folded onto the next line",
     f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n".encode(), {400}),
    ("TE in HTTP/1.0", f"POST /v1/incidents HTTP/1.0\r\n{H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n".encode(), {400}),
    ("obs-fold", f"GET /healthz HTTP/1.1\r\n{H}X-A: 1\r\n 2\r\n\r\n".encode(), {400}),
    ("bare LF line endings", b"GET /healthz HTTP/1.1\nHost: 127.0.0.1\n\n", {400}),
    ("bare LF after a header", f"GET /healthz HTTP/1.1\r\n{H}X-A: 1\n\r\n".encode(), {400}),
    ("bare CR", b"GET /healthz HTTP/1.1\rHost: 127.0.0.1\r\n\r\n", {400}),
    ("invalid chunk size", f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n".encode(),
     {400}),
    ("chunk size over 15 hex digits",
     f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nx\r\n".encode(), {400}),
    ("chunk size with trailing space",
     f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n".encode(), {400}),
    ("chunk data without CRLF",
     f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n".encode(), {400}),
    ("control byte in chunk extension",
     f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n5;a=\x01\r\nhello\r\n0\r\n\r\n".encode(), {400}),
]


def healthz_after(report, server, name):
    status, ms = server.healthz_ms(timeout=10)
    report.check(f"/healthz after {name}", status == 200 and ms < HEALTHZ_AFTER_MS, f"{status} in {ms:.1f} ms")


def refusals(report, server):
    for name, request, expected in CASES:
        data, closed = raw_exchange(server.host, server.port, request, timeout=5)
        found = statuses(data)
        first = found[0] if found else None
        problem = b"application/problem+json" in data.split(b"\r\n\r\n", 1)[0]
        ok = first in expected and len(found) == 1 and problem and (closed or first == 405)
        report.check(name, ok, f"{first} (expected {'/'.join(map(str, sorted(expected)))}), "
                     f"{'closed' if closed else 'left open'}, {len(found)} response(s)")
        healthz_after(report, server, name)


def smuggled_request_is_not_served(report, server):
    """A second request hidden in the body of a request with both framings must not be answered:
    exactly one response (the 400), then the close."""
    hidden = f"GET /v1/incidents HTTP/1.1\r\n{H}Authorization: Bearer {server.tokens['admin']}\r\n\r\n"
    for name, head in [
        ("CL+TE", f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Length: {len(hidden) + 5}\r\nTransfer-Encoding: chunked\r\n\r\n"),
        ("TE+CL", f"POST /v1/incidents HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"),
        ("two CLs", f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Length: 5\r\nContent-Length: {len(hidden) + 5}\r\n\r\n"),
    ]:
        data, closed = raw_exchange(server.host, server.port, (head + "0\r\n\r\n" + hidden).encode(), timeout=5)
        found = statuses(data)
        report.check(f"smuggled request after {name} not served", found == [400] and closed, f"responses {found}")


def pipelining(report, server, count):
    request = f"GET /healthz HTTP/1.1\r\n{H}\r\n".encode()
    start = time.monotonic()
    data, _ = raw_exchange(server.host, server.port, request * count + f"GET /healthz HTTP/1.1\r\n{H}Connection: close\r\n\r\n"
                           .encode(), timeout=30)
    found = statuses(data)
    report.check(f"{count + 1} pipelined /healthz answered in order", found == [200] * (count + 1),
                 f"{len(found)} responses, {found.count(200)} x 200, {time.monotonic() - start:.2f} s")
    status, _, page = server.json("GET", "/v1/incidents?limit=1")
    incident = page["data"][0]["id"]
    auth = f"Authorization: Bearer {server.tokens['admin']}\r\n"
    mixed = (f"GET /v1/incidents/{incident} HTTP/1.1\r\n{H}{auth}\r\n" f"GET /v1/incidents/inc_none HTTP/1.1\r\n{H}{auth}\r\n"
             f"GET /v1/search?q=prison HTTP/1.1\r\n{H}{auth}\r\n").encode()
    rounds = max(1, count // 10)
    data, _ = raw_exchange(server.host, server.port, mixed * rounds + f"GET /healthz HTTP/1.1\r\n{H}Connection: close\r\n\r\n"
                           .encode(), timeout=60)
    found = statuses(data)
    name = f"{3 * rounds} pipelined reads (by id, 404, search) in order"
    ok = found == [200, 404, 200] * rounds + [200]
    report.check(name, ok, f"{len(found)} responses")
    healthz_after(report, server, "pipelining")


def flood_without_reading(report, server, megabytes):
    """A client that pipelines megabytes of requests and never reads: the server must stop
    reading it (backpressure) rather than buffer answers without bound, and keep serving others."""
    rss_before = server.rss_kib()
    sock = socket.create_connection((server.host, server.port))
    sock.setblocking(False)
    request = f"GET /v1/vocabularies HTTP/1.1\r\n{H}Authorization: Bearer {server.tokens['admin']}\r\n\r\n".encode()
    payload = request * ((megabytes << 20) // len(request))
    sent = 0
    deadline = time.monotonic() + (20 if LONG else 6)
    latencies = []
    while time.monotonic() < deadline and sent < len(payload):
        try:
            sent += sock.send(payload[sent:sent + 65536])
        except BlockingIOError:
            time.sleep(0.05)
        if len(latencies) < 400:
            status, ms = server.healthz_ms(timeout=10)
            latencies.append(ms if status == 200 else 1e9)
    rss_after = server.rss_kib()
    sock.close()
    p50, p99, worst = percentiles(latencies)
    growth = (rss_after - rss_before) / 1024
    report.check("flood of pipelined requests never read: others served", p99 < 100,
                 f"sent {sent / 1048576:.1f} of {megabytes} MiB before the server stopped reading; "
                 f"/healthz p50 {p50:.1f} p99 {p99:.1f} max {worst:.1f} ms")
    report.check("flood: server memory bounded", growth < 64, f"RSS {rss_before / 1024:.0f} -> {rss_after / 1024:.0f} MiB")
    time.sleep(0.5)
    healthz_after(report, server, "the flood")


def slow_clients(report, server, idle_count, trickle_count):
    """Idle connections (no byte), slowloris heads (a byte a second) and slow bodies all at once;
    /healthz must keep answering fast, trickling heads and bodies must get 408 once the server's
    10 s deadlines pass."""
    results = {"head": [], "body_rate": [], "body_pause": []}
    lock = threading.Lock()
    stop = threading.Event()

    def trickle(kind, index):
        try:
            sock = socket.create_connection((server.host, server.port), timeout=30)
        except OSError as error:
            with lock:
                results[kind].append(f"connect {error.errno}")
            return
        try:
            if kind == "head":
                pieces = [bytes([b]) for b in f"GET /healthz HTTP/1.1\r\n{H}X-Slow: ".encode()] + [b"a"] * 60
                interval = 1.0
            elif kind == "body_rate":
                sock.sendall(f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Type: application/json\r\nContent-Length: 100000\r\n"
                             f"Authorization: Bearer {server.tokens['admin']}\r\n\r\n".encode())
                pieces = [b"x"] * 100
                interval = 0.5
            else:
                sock.sendall(f"POST /v1/incidents HTTP/1.1\r\n{H}Content-Type: application/json\r\nContent-Length: 100\r\n"
                             f"Authorization: Bearer {server.tokens['admin']}\r\n\r\n{{\"ti".encode())
                pieces, interval = [], 0
            deadline = time.monotonic() + 25
            for piece in pieces:
                if stop.is_set() or time.monotonic() > deadline:
                    break
                try:
                    sock.sendall(piece)
                except OSError:
                    break
                sock.settimeout(interval)
                try:
                    if sock.recv(1, socket.MSG_PEEK):
                        break
                except socket.timeout:
                    continue
                except OSError:
                    break
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            data = b""
            try:
                while True:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            found = statuses(data)
            with lock:
                results[kind].append(found[0] if found else "closed without answer")
        finally:
            sock.close()

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    budget = max(0, soft - 200 - 3 * trickle_count)
    if idle_count > budget:
        report.note(f"ulimit -n {soft}: idle connections cut from {idle_count} to {budget}")
        idle_count = budget
    idle = []
    for _ in range(idle_count):
        try:
            idle.append(socket.create_connection((server.host, server.port), timeout=10))
        except OSError as error:
            report.note(f"connect failed after {len(idle)} idle connections: {error}")
            break
    threads = [threading.Thread(target=trickle, args=(kind, i), daemon=True)
               for kind in results for i in range(trickle_count)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    with LatencyProbe(server, ["/healthz"], interval=0.02) as probe:
        for thread in threads:
            thread.join(40)
    elapsed = time.monotonic() - start
    stop.set()
    p50, p99, worst = percentiles(probe.samples["/healthz"])
    report.check(f"/healthz while {len(idle)} idle + {3 * trickle_count} slow connections are open",
                 probe.failures["/healthz"] == 0 and p99 < 50,
                 f"{len(probe.samples['/healthz'])} probes, p50 {p50:.1f} p99 {p99:.1f} max {worst:.1f} ms, "
                 f"{probe.failures['/healthz']} failed")
    for kind, label in [("head", "slowloris head (1 byte/s)"), ("body_rate", "slow body (2 bytes/s)"),
                        ("body_pause", "body that stops")]:
        got = results[kind]
        report.check(f"{label} x {trickle_count}: 408", len(got) == trickle_count and all(s == 408 for s in got),
                     f"{sorted(set(map(str, got)))} within {elapsed:.1f} s")
    alive = 0
    for sock in idle:
        sock.setblocking(False)
        try:
            alive += 1 if sock.recv(1, socket.MSG_PEEK) else 0
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    report.note(f"{alive} of {len(idle)} idle connections still open (keep-alive idle timeout 60 s)")
    for sock in idle:
        sock.close()
    healthz_after(report, server, "slow clients")


def main():
    report = Report("abuse" + (" (long)" if LONG else " (short)"))
    server = Server()
    try:
        refusals(report, server)
        smuggled_request_is_not_served(report, server)
        pipelining(report, server, 20_000 if LONG else 2_000)
        flood_without_reading(report, server, 64 if LONG else 16)
        slow_clients(report, server, idle_count=5_000 if LONG else 1_000, trickle_count=300 if LONG else 20)
        report.check("server still running", server.alive())
    finally:
        server.stop()
    report.finish()


if __name__ == "__main__":
    main()
