"""Shared parts of the HTTP-level proof suites: a real `vigil serve` on 127.0.0.1 over a temporary
database, tokens made with `vigil token create`, a tiny HTTP client on http.client and raw
sockets, latency sampling, and a report that prints every check and decides the exit status.

Stdlib only, so the suites run on any Python 3.9+ without a venv.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def vigil_binary():
    """The `vigil` to test: $VIGIL_BIN, else the release build's (`swift build -c release
    --show-bin-path`, with $VIGIL_SCRATCH as the scratch path when set)."""
    path = os.environ.get("VIGIL_BIN")
    if path:
        return path
    command = ["swift", "build", "-c", os.environ.get("VIGIL_CONFIGURATION", "release"), "--show-bin-path"]
    if os.environ.get("VIGIL_SCRATCH"):
        command += ["--scratch-path", os.environ["VIGIL_SCRATCH"]]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    path = os.path.join(out, "vigil")
    if not os.path.exists(path):
        raise SystemExit(f"no vigil binary at {path}: build it (swift build -c release --product vigil) or set VIGIL_BIN")
    return path


def serve_help():
    """`vigil serve --help`, to see which options this build has."""
    return subprocess.run([vigil_binary(), "serve", "--help"], capture_output=True, text=True).stdout


class Server:
    """`vigil serve --port 0` on a fresh database in a temporary directory. stdout is read by a
    thread (the listening line, then drained); stderr (the access log) goes to a file, so an
    unread pipe can never stall the server."""

    def __init__(self, extra_args=(), demo=True, roles=("admin",), keep=False):
        self.binary = vigil_binary()
        self.directory = tempfile.mkdtemp(prefix="vigil-suite-")
        self.db = os.path.join(self.directory, "vigil.db")
        self.keep = keep
        self.tokens = {}
        for role in roles:
            self.tokens[role] = self.create_token(role, role)
        self.log_path = os.path.join(self.directory, "serve.log")
        self.log = open(self.log_path, "wb")
        args = [self.binary, "serve", "--db", self.db, "--port", "0"] + (["--demo"] if demo else []) + list(extra_args)
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL)
        self.pid = self.process.pid
        self.port = None
        ready = threading.Event()

        def drain():
            for raw in self.process.stdout:
                line = raw.decode("utf-8", "replace").strip()
                if line.startswith("vigil listening on http://"):
                    self.port = int(line.rsplit(":", 1)[1])
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(60) or self.port is None:
            self.stop()
            raise SystemExit(f"vigil serve did not start: {open(self.log_path, 'rb').read()[-2000:]!r}")
        self.host = "127.0.0.1"

    def create_token(self, name, role, clearance="confidential"):
        result = subprocess.run(
            [self.binary, "token", "create", "--db", self.db, "--name", name, "--role", role, "--clearance", clearance],
            capture_output=True, text=True, check=True)
        return result.stdout.strip()

    def alive(self):
        return self.process.poll() is None

    def rss_kib(self):
        """VmRSS of the server, in KiB (None once it has gone)."""
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None

    def metrics(self, token="admin"):
        """GET /metrics as {sample name with its labels as exposed (`name{state="x"}`): value};
        empty when unreachable."""
        try:
            status, _, data = self.request("GET", "/metrics", token=token, timeout=10)
        except OSError:
            return {}
        if status != 200:
            return {}
        samples = {}
        for line in data.decode().splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                samples[name] = float(value)
        return samples

    def wal_bytes(self):
        try:
            return os.path.getsize(self.db + "-wal")
        except OSError:
            return 0

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        if not self.keep:
            shutil.rmtree(self.directory, ignore_errors=True)

    # MARK: Requests

    def connection(self, timeout=30):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, token="admin", body=None, headers=None, timeout=30, connection=None):
        """One request; returns (status, headers dict lower-cased, body bytes). `token` names a
        token made at start (None: no Authorization). Reuses `connection` when given."""
        own = connection is None
        conn = connection or self.connection(timeout)
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = "Bearer " + self.tokens.get(token, token)
        payload = None
        if body is not None:
            payload = body if isinstance(body, (bytes, bytearray)) else json.dumps(body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=payload, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            if own:
                conn.close()

    def json(self, method, path, **kwargs):
        status, headers, data = self.request(method, path, **kwargs)
        try:
            return status, headers, json.loads(data) if data else None
        except ValueError:
            return status, headers, None

    def healthz_ms(self, timeout=30):
        """(status, milliseconds) of a GET /healthz on a new connection."""
        start = time.monotonic()
        try:
            status, _, _ = self.request("GET", "/healthz", token=None, timeout=timeout)
        except OSError:
            status = 0
        return status, (time.monotonic() - start) * 1000


def raw_exchange(host, port, data, timeout=5.0, read_until_close=True):
    """Sends raw bytes and reads until the peer closes or `timeout` passes. Returns (bytes
    received, closed_by_peer)."""
    sock = socket.create_connection((host, port), timeout=timeout)

    def send():
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may refuse and close before everything is sent; read its answer

    # Sent from a thread while this one reads: a pipelined stream larger than the socket buffers
    # would otherwise deadlock (the server stops reading a client that does not read its answers).
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        received = b""
        deadline = time.monotonic() + timeout
        closed = False
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except OSError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            received += chunk
            if not read_until_close and b"\r\n\r\n" in received:
                break
        return received, closed
    finally:
        sock.close()
        sender.join(1)


def statuses(data):
    """Every status code of the HTTP responses in `data` (a response stream, bodies skipped by
    Content-Length or chunked coding)."""
    found = []
    rest = data
    while rest.startswith(b"HTTP/1."):
        head_end = rest.find(b"\r\n\r\n")
        if head_end < 0:
            break
        head = rest[:head_end].decode("latin-1").split("\r\n")
        try:
            found.append(int(head[0].split(" ")[1]))
        except (IndexError, ValueError):
            break
        fields = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        rest = rest[head_end + 4:]
        if fields.get("transfer-encoding", "").lower() == "chunked":
            while True:
                line_end = rest.find(b"\r\n")
                if line_end < 0:
                    return found
                size = int(rest[:line_end].split(b";")[0], 16)
                rest = rest[line_end + 2 + size + 2:]
                if size == 0:
                    break
        else:
            rest = rest[int(fields.get("content-length", "0")):]
    return found


def percentiles(values):
    """(p50, p99, max) of a list of numbers (0s when empty)."""
    if not values:
        return 0.0, 0.0, 0.0
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return pick(0.50), pick(0.99), ordered[-1]


class LatencyProbe:
    """Samples a cheap request from its own connection every `interval` seconds until stopped:
    a fresh connection per /healthz (as a monitor would), and a by-id GET on a kept one."""

    def __init__(self, server, paths, interval=0.02, token="admin"):
        self.server, self.paths, self.interval, self.token = server, paths, interval, token
        self.samples = {path: [] for path in paths}
        self.failures = {path: 0 for path in paths}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        kept = self.server.connection(timeout=30)
        while not self._stop.is_set():
            for path in self.paths:
                start = time.monotonic()
                try:
                    if path == "/healthz":
                        status, _, _ = self.server.request("GET", path, token=None)
                    else:
                        status, _, _ = self.server.request("GET", path, token=self.token, connection=kept)
                except (OSError, http.client.HTTPException):
                    status = 0
                    kept.close()
                    kept = self.server.connection(timeout=30)
                elapsed = (time.monotonic() - start) * 1000
                self.samples[path].append(elapsed)
                if status != 200:
                    self.failures[path] += 1
            self._stop.wait(self.interval)
        kept.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(60)


class Report:
    """Prints each check as it is made and remembers the failures; `finish` prints the summary
    and exits 1 if any check failed."""

    def __init__(self, suite):
        self.suite = suite
        self.failures = []
        self.passed = 0
        print(f"== {suite}", flush=True)

    def check(self, name, ok, detail=""):
        mark = "ok  " if ok else "FAIL"
        print(f"{mark} {name}" + (f": {detail}" if detail else ""), flush=True)
        if ok:
            self.passed += 1
        else:
            self.failures.append(name)
        return ok

    def note(self, text):
        print(f"     {text}", flush=True)

    def finish(self):
        print(f"== {self.suite}: {self.passed} held, {len(self.failures)} failed", flush=True)
        for name in self.failures:
            print(f"   failed: {name}", flush=True)
        sys.exit(1 if self.failures else 0)


def long_form(argv):
    """True when `--long` is among the arguments or $VIGIL_SUITE_LONG is set."""
    return "--long" in argv or os.environ.get("VIGIL_SUITE_LONG") not in (None, "", "0")
