#!/usr/bin/env python3
"""Markdown report of a growth run (benchmarks/growth/run.sh): one row per endpoint and connection
count, one column group per database size (p50 ms / p99 ms / req/s), then the server's peak RSS and
the database file size per size, and any failed or erroring runs.

Usage: report.py OUT   (reads OUT/results.tsv, OUT/rss.tsv, OUT/env.txt)
"""
import csv
import os
import sys

QUESTIONS = {"a": "incident by id", "b": "filtered page of 50", "c": "facet counts",
             "d": "full-text search", "e": "incident + allegations"}


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def size_label(n):
    n = int(n)
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def main():
    out = sys.argv[1]
    rows = read_tsv(os.path.join(out, "results.tsv"))
    rss = {r["size"]: r for r in read_tsv(os.path.join(out, "rss.tsv"))}
    sizes = list(dict.fromkeys(r["size"] for r in rows))
    keys = list(dict.fromkeys((r["endpoint"], r["connections"]) for r in rows))
    keys.sort(key=lambda k: (k[0], int(k[1])))
    cell = {(r["size"], r["endpoint"], r["connections"]): r for r in rows}

    lines = ["## Growth: vigil's reads by database size (incidents)", ""]
    env = os.path.join(out, "env.txt")
    if os.path.exists(env):
        with open(env) as handle:
            lines += [f"- {l.strip()}" for l in handle if l.strip()] + [""]
    head = ["endpoint", "conns"] + [f"{size_label(n)} p50 / p99 ms, req/s" for n in sizes]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    problems = []
    for ep, conns in keys:
        line = [f"{ep} {QUESTIONS.get(ep, '')}".strip(), conns]
        for n in sizes:
            r = cell.get((n, ep, conns))
            if r is None:
                line.append("-")
            elif not r["rps"] or r["rps"].startswith("http_"):
                line.append(r["rps"] or "failed")
                problems.append(f"{n} {ep} c={conns}: {r['rps'] or 'failed'}")
            else:
                line.append(f"{float(r['p50_ms']):,.1f} / {float(r['p99_ms']):,.1f}, "
                            f"{float(r['rps']):,.0f}")
                if any(int(r[k] or 0) for k in ("errors", "non2xx", "timeouts")):
                    problems.append(f"{n} {ep} c={conns}: errors={r['errors']} non2xx={r['non2xx']} "
                                    f"timeouts={r['timeouts']}")
        lines.append("| " + " | ".join(line) + " |")

    def mib(r, key):
        v = (r or {}).get(key)
        return f"{int(v) / 1024:,.0f} MiB" if v else "-"

    lines.append("| peak RSS (VmHWM) | | " + " | ".join(mib(rss.get(n), "vmhwm_kb") for n in sizes) + " |")
    lines.append("| vigil.db size | | " + " | ".join(
        f"{int(rss[n]['db_bytes']) / 1e6:,.0f} MB" if rss.get(n, {}).get("db_bytes") else "-"
        for n in sizes) + " |")
    lines += ["", "Sizes: N incidents, max(200, N/50) sites, 2N allegations, N/5 denials (make_db.py, seed 1). "
              "One run per cell after a warm-up; p50 at 32 connections is mostly queueing (≈ 32 / req/s).",
              "", "### Problems", ""] + ([f"- {p}" for p in problems] or ["- none"])
    print("\n".join(lines))


if __name__ == "__main__":
    main()
