#!/usr/bin/env python3
"""Soak suite: 32 connections of mixed reads (by id, lists), q= searches and writes (POST, PATCH
with If-Match) against `vigil serve`, while the server's RSS (/proc/PID/status VmRSS) and the WAL
file's size are sampled every second.

    scripts/reliability/soak.py [--long] [--seconds N]     (VIGIL_BIN=path/to/vigil)

Short form 45 s, long form 10 minutes. Prints peak RSS and the RSS slope (least-squares fit over
the second half, MiB/min), with what /metrics says of it: the allocator's heap in use and kept
free (`vigil_process_heap_bytes`) and SQLite's page caches (`vigil_sqlite_page_cache_bytes`);
then peak WAL and the WAL slope. Fails when (thresholds, overridable by env):
  * in the long form (or with VIGIL_SOAK_RSS_SLOPE set), the heap in use grows by more than
    VIGIL_SOAK_RSS_SLOPE (MiB/min over the second half; default 1): a leak of a few bytes per
    request at this rate shows well above it (heaptrack over 28,000 soak requests: peak heap
    18.4 MB, 32 bytes never freed);
  * in the long form, RSS grows by more than VIGIL_SOAK_RSS_GROWTH (MiB/min over the second
    half; default 2). It is not zero: the page caches fill towards their bound as the database
    grows, and the allocator keeps what it freed for reuse (HTTPServer.tuneAllocator). With one
    malloc arena, 20 minutes gave +1.08 MiB/min (40 -> 85 MiB); with four, each arena kept its
    own copy of the caches' peak and RSS rose 42 -> 166 MiB (+5.63) with the heap in use flat;
  * peak RSS over VIGIL_SOAK_RSS_PEAK (MiB, default 192);
  * page caches over VIGIL_SOAK_CACHE_MIB (default 160: 16 MiB per reader connection, the
    writer's, a margin);
  * peak WAL over VIGIL_SOAK_WAL_MIB (default 64, the writer's journal_size_limit: ordinary work
    reuses a WAL of a few MiB in place, docs/architecture.md), or a WAL slope over
    VIGIL_SOAK_WAL_SLOPE (MiB/min over the second half; default 8): a WAL that keeps growing is
    one that checkpoints cannot restart;
  * any 5xx, any transport error, or fewer answers than there were requests.
"""

import http.client
import json
import os
import random
import sys
import threading
import time
from collections import Counter

from harness import Report, Server, long_form

LONG = long_form(sys.argv)
CONNECTIONS = 32
SECONDS = 600 if LONG else 45
if "--seconds" in sys.argv:
    SECONDS = int(sys.argv[sys.argv.index("--seconds") + 1])
RSS_PEAK_LIMIT_MIB = float(os.environ.get("VIGIL_SOAK_RSS_PEAK", "192"))
RSS_SLOPE_LIMIT = float(os.environ.get("VIGIL_SOAK_RSS_SLOPE", "1"))
RSS_GROWTH_LIMIT = float(os.environ.get("VIGIL_SOAK_RSS_GROWTH", "2"))
CACHE_LIMIT_MIB = float(os.environ.get("VIGIL_SOAK_CACHE_MIB", "160"))
WAL_LIMIT_MIB = float(os.environ.get("VIGIL_SOAK_WAL_MIB", "64"))
WAL_SLOPE_LIMIT = float(os.environ.get("VIGIL_SOAK_WAL_SLOPE", "8"))
WORDS = ["detention", "prison", "torture", "report", "camp", "witness", "argun", "chechnya", "site", "denial"]


def slope_per_minute(samples):
    """Least-squares slope of (seconds, value) pairs, per minute."""
    if len(samples) < 3:
        return 0.0
    n = len(samples)
    mx = sum(t for t, _ in samples) / n
    my = sum(v for _, v in samples) / n
    sxx = sum((t - mx) ** 2 for t, _ in samples)
    sxy = sum((t - mx) * (v - my) for t, v in samples)
    return 60 * sxy / sxx if sxx else 0.0


class Mix:
    """One client's loop: a kept connection, a weighted choice of request each round."""

    def __init__(self, server, ids, seed, stop, counts, lock):
        self.server, self.ids, self.rng, self.stop, self.counts, self.lock = server, ids, random.Random(seed), stop, counts, lock
        self.connection = server.connection(timeout=30)

    def send(self, method, path, body=None, headers=None):
        try:
            return self.server.request(method, path, body=body, headers=headers, connection=self.connection)
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.connection = self.server.connection(timeout=30)
            return f"error {type(error).__name__}", {}, b""

    def record(self, kind, status):
        with self.lock:
            self.counts[(kind, status)] += 1

    def run(self):
        while not self.stop.is_set():
            roll = self.rng.random()
            if roll < 0.25:
                kind, (status, _, _) = "get", self.send("GET", f"/v1/incidents/{self.rng.choice(self.ids)}")
            elif roll < 0.40:
                kind, (status, _, _) = "list", self.send("GET", f"/v1/incidents?limit=50&sort=-updated_at&country=RU")
            elif roll < 0.80:
                words = "+".join(self.rng.sample(WORDS, self.rng.choice([1, 1, 2])))
                kind, (status, _, _) = "search", self.send("GET", f"/v1/incidents?q={words}&limit=20")
            elif roll < 0.90:
                kind = "post"
                status, _, body = self.send("POST", "/v1/incidents", body={
                    "title": f"Soak {self.rng.random()}", "summary": " ".join(self.rng.choices(WORDS, k=30)),
                    "country": "RU", "confidentiality": "public", "violation_types": ["torture"]})
                if status == 201:
                    new_id = json.loads(body)["id"]
                    with self.lock:
                        self.ids.append(new_id)
            else:
                kind = "patch"
                target = f"/v1/incidents/{self.rng.choice(self.ids)}"
                status, headers, _ = self.send("GET", target)
                if status == 200:
                    status, _, _ = self.send("PATCH", target, body={"summary": " ".join(self.rng.choices(WORDS, k=30))},
                                             headers={"If-Match": headers.get("etag", ""),
                                                      "Content-Type": "application/merge-patch+json"})
                    if status == 412:  # another client changed it first: expected under contention
                        status = "412 (lost race)"
            self.record(kind, status)
        self.connection.close()


def main():
    report = Report(f"soak ({'long' if LONG else 'short'}, {SECONDS} s, {CONNECTIONS} connections)")
    server = Server()
    try:
        ids = []
        rng = random.Random(7)
        for _ in range(5):
            batch = [{"title": f"Seed {i}", "summary": " ".join(rng.choices(WORDS, k=60)), "country": "RU",
                      "confidentiality": "public"} for i in range(100)]
            status, _, body = server.json("POST", "/v1/incidents", body=batch, timeout=60)
            if status != 201:
                raise SystemExit(f"seeding answered {status}")
            ids += [record["id"] for record in body["data"]]
        stop = threading.Event()
        counts, lock = Counter(), threading.Lock()
        clients = [Mix(server, ids, seed, stop, counts, lock) for seed in range(CONNECTIONS)]
        threads = [threading.Thread(target=client.run, daemon=True) for client in clients]
        start = time.monotonic()
        for thread in threads:
            thread.start()
        rss, wal, cache, heap, kept = [], [], [], [], []
        while time.monotonic() - start < SECONDS and server.alive():
            time.sleep(1)
            t = time.monotonic() - start
            kib = server.rss_kib()
            metrics = server.metrics()  # one scrape per sample: each walks the allocator's arenas
            cached = metrics.get("vigil_sqlite_page_cache_bytes")
            in_use = metrics.get('vigil_process_heap_bytes{state="in_use"}')
            free = metrics.get('vigil_process_heap_bytes{state="kept_free"}')
            if kib is not None and None not in (cached, in_use, free):
                rss.append((t, kib / 1024))
                cache.append((t, cached / 1048576))
                heap.append((t, in_use / 1048576))
                kept.append((t, free / 1048576))
            wal.append((t, server.wal_bytes() / 1048576))
            if len(rss) % (60 if LONG else 15) == 0:
                total = sum(counts.values())
                report.note(f"t={t:.0f}s requests {total}, RSS {rss[-1][1]:.1f} MiB (heap in use {heap[-1][1]:.1f}, kept free "
                            f"{kept[-1][1]:.1f}, page caches {cache[-1][1]:.1f}), "
                            f"WAL {wal[-1][1]:.1f} MiB")
        stop.set()
        for thread in threads:
            thread.join(60)
        elapsed = time.monotonic() - start
        total = sum(counts.values())
        by_kind = Counter()
        for (kind, status), n in counts.items():
            by_kind[kind] += n
        report.note(f"{total} requests in {elapsed:.0f} s ({total / elapsed:.0f}/s): "
                    + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())))
        report.note("statuses: " + ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(counts.items(), key=str)))
        bad = {key: n for key, n in counts.items() if not (isinstance(key[1], int) and key[1] < 500)
               and not str(key[1]).startswith("412")}
        report.check("no 5xx or transport error", not bad, str(bad) if bad else f"{total} answers")
        expected = {"get": {200}, "list": {200}, "search": {200}, "post": {201}, "patch": {200}}
        wrong = {key: n for key, n in counts.items() if isinstance(key[1], int) and key[1] not in expected[key[0]]}
        report.check("every answer the expected status (a PATCH may lose a race: 412)", not wrong, str(wrong) if wrong else "")
        half = [s for s in rss if s[0] >= elapsed / 2]
        wal_half = [s for s in wal if s[0] >= elapsed / 2]
        peak_rss = max(v for _, v in rss) if rss else 0
        rss_slope = slope_per_minute(half)
        heap_slope = slope_per_minute([s for s in heap if s[0] >= elapsed / 2])
        cache_slope = slope_per_minute([s for s in cache if s[0] >= elapsed / 2])
        peak_cache = max(v for _, v in cache) if cache else 0
        peak_wal = max(v for _, v in wal) if wal else 0
        wal_slope = slope_per_minute(wal_half)
        if rss:
            report.note(f"start: RSS {rss[0][1]:.1f} MiB, heap in use {heap[0][1]:.1f}, kept free {kept[0][1]:.1f}, "
                        f"page caches {cache[0][1]:.1f}")
            report.note(f"end: RSS {rss[-1][1]:.1f} MiB, heap in use {heap[-1][1]:.1f}, kept free {kept[-1][1]:.1f}, "
                        f"page caches {cache[-1][1]:.1f}")
        report.note(f"slopes over the second half: RSS {rss_slope:+.2f} MiB/min, heap in use {heap_slope:+.2f}, "
                    f"page caches {cache_slope:+.2f}")
        report.check(f"peak RSS <= {RSS_PEAK_LIMIT_MIB:g} MiB", peak_rss <= RSS_PEAK_LIMIT_MIB, f"{peak_rss:.1f} MiB")
        report.check(f"peak page caches <= {CACHE_LIMIT_MIB:g} MiB", peak_cache <= CACHE_LIMIT_MIB, f"{peak_cache:.1f} MiB")
        # 45 s is all warm-up (the page caches, part of the heap, fill: +8 MiB/min in CI's short
        # run), so the short form only reports the slope unless asked; the long form gates it.
        if LONG or "VIGIL_SOAK_RSS_SLOPE" in os.environ:
            report.check(f"heap in use: slope over the second half <= {RSS_SLOPE_LIMIT:g} MiB/min",
                         heap_slope <= RSS_SLOPE_LIMIT, f"{heap_slope:+.2f} MiB/min")
        else:
            report.note(f"heap in use: slope over the second half {heap_slope:+.2f} MiB/min (gated in the long form)")
        if LONG:
            report.check(f"RSS: slope over the second half <= {RSS_GROWTH_LIMIT:g} MiB/min",
                         rss_slope <= RSS_GROWTH_LIMIT, f"{rss_slope:+.2f} MiB/min")
        report.check(f"peak WAL <= {WAL_LIMIT_MIB:g} MiB", peak_wal <= WAL_LIMIT_MIB, f"{peak_wal:.1f} MiB")
        report.check(f"WAL slope over the second half <= {WAL_SLOPE_LIMIT:g} MiB/min", wal_slope <= WAL_SLOPE_LIMIT,
                     f"{wal_slope:+.2f} MiB/min, end {wal[-1][1]:.1f} MiB" if wal else "")
        report.check("server still running", server.alive())
    finally:
        server.stop()
    report.finish()


if __name__ == "__main__":
    main()
