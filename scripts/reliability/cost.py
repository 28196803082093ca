#!/usr/bin/env python3
"""Cost suite: the most expensive requests we can construct, each run by several clients at once,
while another connection measures how long cheap requests (/healthz on a fresh connection, a by-id
GET on a kept one) take. Every expensive request must end (200, or 503 past the limit) within the
query time limit, and the cheap ones' p99 must stay within a few ms of their p99 on an idle server.

    scripts/reliability/cost.py [--long]      (VIGIL_BIN=path/to/vigil to pick the binary)

Data: the demo dataset, 60 incidents whose summary is "word filler " * 5000 (the issue's case),
and a few hundred (long form: thousands) of ordinary incidents with varied fields.
Thresholds (env): VIGIL_COST_SLACK_S (time past the limit allowed for the answer to arrive,
default 1.0), VIGIL_COST_CHEAP_P99_MS (extra p99 allowed over idle, default 10).
"""

import os
import random
import sys
import threading
import time
from urllib.parse import quote

from harness import LatencyProbe, Report, Server, long_form, percentiles, serve_help

LONG = long_form(sys.argv)
SLACK_S = float(os.environ.get("VIGIL_COST_SLACK_S", "1.0"))
CHEAP_P99_EXTRA_MS = float(os.environ.get("VIGIL_COST_CHEAP_P99_MS", "10"))
COPIES = 4 if LONG else 2   # clients running the same expensive request at once
ROUNDS = 3 if LONG else 1

COUNTRIES = ["RU", "GB", "UA", "BY", "KZ", "GE", "AM", "AZ", "TR", "IR"]
VIOLATIONS = ["arbitrary_detention", "torture", "extortion", "forced_outing"]


def load(server, report, ordinary):
    started = time.monotonic()
    huge = "word filler " * 5000
    for i in range(60):
        status, _, _ = server.request("POST", "/v1/incidents", body={
            "title": f"Huge incident {i}", "summary": huge, "country": "RU", "confidentiality": "public",
            "occurred": f"2017-{1 + i % 12:02d}", "violation_types": ["torture"], "tags": ["huge"]})
        if status != 201:
            raise SystemExit(f"loading a huge incident answered {status}")
    rng = random.Random(18)
    batch = []
    for i in range(ordinary):
        batch.append({
            "title": f"Incident {i} word {rng.choice(['alpha', 'beta', 'gamma'])}",
            "summary": " ".join(rng.choice(["detention", "prison", "word", "filler", "report", "camp"]) for _ in range(40)),
            "country": rng.choice(COUNTRIES), "occurred": f"{2010 + i % 10}-{1 + i % 12:02d}",
            "violation_types": rng.sample(VIOLATIONS, 2), "targeted_groups": ["lgbtiq"] if i % 3 else [],
            "victims_min": i % 200, "confidentiality": rng.choice(["public", "restricted", "confidential"]),
            "verification": rng.choice(["unverified", "corroborated"]), "tags": [f"t{i % 17}", "bulk"]})
        if len(batch) == 100:
            status, _, _ = server.request("POST", "/v1/incidents", body=batch, timeout=120)
            if status != 201:
                raise SystemExit(f"loading ordinary incidents answered {status}")
            batch = []
    if batch:
        server.request("POST", "/v1/incidents", body=batch, timeout=120)
    report.note(f"loaded 60 huge (60 KB summary) + {ordinary} ordinary incidents in {time.monotonic() - started:.1f} s, "
                f"database {os.path.getsize(server.db) / 1048576:.1f} MiB")


def expensive_requests():
    many_words = quote(" ".join(["word", "filler"] * 16))   # 32 words, all matching
    filters = ("country.in=" + ",".join(COUNTRIES) + "&violation_types.in=" + ",".join(VIOLATIONS)
               + "&verification.ne=disputed&victims_min.gte=0&occurred.gte=2000&occurred.lte=2030"
               + "&tags.nin=x,y,z&targeted_groups.null=false&title.contains=incident")
    return [
        ("search limit=60 over huge texts", "/v1/incidents?q=word&limit=60"),
        ("cross-resource search", "/v1/search?q=word&limit=100"),
        ("32-word search", f"/v1/incidents?q={many_words}&limit=60"),
        ("search + count + sort", "/v1/incidents?q=filler&count=true&sort=-occurred,country&limit=1000"),
        ("facets, every field, many filters", "/v1/incidents/facets?fields=violation_types,country,verification&q=word&"
         + filters.replace("&title.contains=incident", "")),
        ("timeline by month, many filters", "/v1/incidents/timeline?interval=month&" + filters.replace("&title.contains=incident", "")),
        ("contains over every summary", "/v1/incidents?summary.contains=nowhere-to-be-found&count=true&limit=1000"),
        ("contains + many filters, limit=1000", "/v1/incidents?limit=1000&count=true&" + filters),
        ("export everything as CSV", "/v1/incidents?format=csv"),
        ("export everything as NDJSON", "/v1/incidents?format=ndjson"),
        ("export a search as NDJSON", "/v1/incidents?format=ndjson&q=word"),
        ("sites as GeoJSON", "/v1/sites?format=geojson"),
        ("limit=1000 sorted by text", "/v1/incidents?limit=1000&sort=title"),
        ("changes feed, 1000", "/v1/changes?limit=1000"),
    ]


def run_expensive(server, path, results):
    start = time.monotonic()
    try:
        status, _, body = server.request("GET", path, timeout=120)
        size = len(body)
    except OSError as error:
        status, size = f"error {error}", 0
    results.append((time.monotonic() - start, status, size))


def main():
    report = Report("cost" + (" (long)" if LONG else " (short)"))
    help_text = serve_help()
    args, limit = [], 5.0
    if "--query-time-limit" in help_text:
        limit = 5.0 if LONG else 2.0
        args = ["--query-time-limit", f"{limit:g}"]
        report.note(f"vigil serve --query-time-limit {limit:g}")
    else:
        report.note("vigil serve has no --query-time-limit: using the documented 5 s")
    server = Server(extra_args=args)
    try:
        load(server, report, 3000 if LONG else 400)
        _, _, page = server.json("GET", "/v1/incidents?limit=1")
        by_id = f"/v1/incidents/{page['data'][0]['id']}"
        cheap = ["/healthz", by_id]

        with LatencyProbe(server, cheap, interval=0.01) as idle:
            time.sleep(3 if LONG else 1.5)
        baseline = {path: percentiles(idle.samples[path]) for path in cheap}
        for path in cheap:
            p50, p99, worst = baseline[path]
            report.note(f"idle {path}: {len(idle.samples[path])} probes, p50 {p50:.2f} p99 {p99:.2f} max {worst:.2f} ms")

        slowest = (0.0, "")
        with LatencyProbe(server, cheap, interval=0.01) as loaded:
            for name, path in expensive_requests():
                for _ in range(ROUNDS):
                    results = []
                    threads = [threading.Thread(target=run_expensive, args=(server, path, results)) for _ in range(COPIES)]
                    for thread in threads:
                        thread.start()
                    for thread in threads:
                        thread.join(180)
                    worst = max(results)
                    slowest = max(slowest, (worst[0], name))
                    ok = all(s in (200, 503) for _, s, _ in results) and worst[0] <= limit + SLACK_S
                    report.check(f"{name} x {COPIES}", ok,
                                 f"slowest {worst[0]:.2f} s (limit {limit:g} s), statuses "
                                 f"{sorted(set(str(s) for _, s, _ in results))}, {worst[2] / 1024:.0f} KiB")
        report.note(f"slowest expensive request: {slowest[1]}, {slowest[0]:.2f} s")
        for path in cheap:
            p50, p99, worst = percentiles(loaded.samples[path])
            allowed = baseline[path][1] + CHEAP_P99_EXTRA_MS
            report.check(f"{path} while expensive requests run", loaded.failures[path] == 0 and p99 <= allowed,
                         f"{len(loaded.samples[path])} probes, p50 {p50:.2f} p99 {p99:.2f} max {worst:.2f} ms "
                         f"(allowed p99 {allowed:.1f}), {loaded.failures[path]} not 200")
        report.check("server still running", server.alive())
    finally:
        server.stop()
    report.finish()


if __name__ == "__main__":
    main()
