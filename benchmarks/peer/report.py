#!/usr/bin/env python3
"""One table for the performance issue, from a benchmarks/run.sh results folder.

Reads OUT/results.tsv (run_peer.sh and run_ceiling.sh rows, summarize.py's columns), OUT/rss.tsv
(rss_sampler.py) and OUT/compare.txt (compare.py) and prints markdown:

  endpoint | peer req/s | vigil req/s | vigil ÷ peer | vigil p50 | vigil p99 | nginx ceiling req/s | vigil / ceiling

req/s is the mean over the runs (the harness's ratio rule); p50 and p99 are the mean over the runs, in
milliseconds; vigil / ceiling is a percentage. Reads: datasette-immutable vs vigil; w: datasette-writes vs vigil-writes. Runs that
failed, returned errors or were contended (other processes > 0.15 cores) are listed below the table.

Usage: report.py OUT [--peer datasette-immutable] [--vigil vigil] [--peer-writes datasette-writes]
                     [--vigil-writes vigil-writes] [--ceiling nginx-static]
"""
import argparse
import csv
import os

FOREIGN_MAX = 0.15


def mean(rows, key):
    vals = [float(r[key]) for r in rows if r["run"].isdigit() and r.get(key)]
    return sum(vals) / len(vals) if vals else None


def fmt(value, nd=0, suffix=""):
    return "-" if value is None else f"{value:,.{nd}f}{suffix}"


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "-"


def percent(a, b):
    return f"{100 * a / b:.2g}%" if a and b else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--peer", default="datasette-immutable")
    ap.add_argument("--vigil", default="vigil")
    ap.add_argument("--peer-writes", default="datasette-writes")
    ap.add_argument("--vigil-writes", default="vigil-writes")
    ap.add_argument("--ceiling", default="nginx-static")
    a = ap.parse_args()

    with open(os.path.join(a.out, "results.tsv"), newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    cell = {}
    for r in rows:
        cell.setdefault((r["system"], r["endpoint"]), []).append(r)

    lines = ["## Vigil vs datasette, with the nginx ceiling", ""]
    env = os.path.join(a.out, "env.txt")
    if os.path.exists(env):
        with open(env) as handle:
            head = [l.strip() for l in handle if l.startswith(("date:", "host:", "wrk:"))][:3]
        lines += [f"- {l}" for l in head] + [""]
    lines += ["| endpoint | peer req/s | vigil req/s | vigil ÷ peer | vigil p50 ms | vigil p99 ms "
              "| nginx ceiling req/s | vigil / ceiling |", "|---|---|---|---|---|---|---|---|"]
    eps = sorted({r["endpoint"] for r in rows if r["endpoint"] != "w"})
    for ep in eps + ["w"]:
        peer_sys, vigil_sys = (a.peer_writes, a.vigil_writes) if ep == "w" else (a.peer, a.vigil)
        if (peer_sys, ep) not in cell and (vigil_sys, ep) not in cell:
            continue
        peer = mean(cell.get((peer_sys, ep), []), "rps")
        vrows = cell.get((vigil_sys, ep), [])
        vigil = mean(vrows, "rps")
        ceiling = None if ep == "w" else mean(cell.get((a.ceiling, ep), []), "rps")
        label = f"{ep} ({peer_sys} / {vigil_sys})" if ep == "w" else ep
        lines.append(f"| {label} | {fmt(peer)} | {fmt(vigil)} | {ratio(vigil, peer)} | "
                     f"{fmt(mean(vrows, 'p50_ms'), 1)} | {fmt(mean(vrows, 'p99_ms'), 1)} | "
                     f"{fmt(ceiling)} | {percent(vigil, ceiling)} |")
    runs = {r["run"] for r in rows if r["run"].isdigit()}
    lines += ["", f"req/s and latencies: mean over {len(runs)} run(s) per endpoint; full per-run "
              "figures in summary.md and results.tsv."]

    rss = os.path.join(a.out, "rss.tsv")
    lines += ["", "### Peak memory of the vigil server", ""]
    if os.path.exists(rss):
        with open(rss, newline="") as handle:
            peaks = list(csv.DictReader(handle, delimiter="\t"))
        for p in peaks:
            lines.append(f"- {p['label']}: peak RSS (VmHWM) {int(p['vmhwm_kb']) / 1024:,.1f} MiB, "
                         f"largest VmRSS sample {int(p['vmrss_max_kb']) / 1024:,.1f} MiB "
                         f"(pid {p['pid']}, {p['samples']} samples)")
        if not peaks:
            lines.append("- no vigil server was seen")
    else:
        lines.append("- not recorded")

    cmp = os.path.join(a.out, "compare.txt")
    lines += ["", "### Same records (compare.py: vigil's bodies vs datasette's)", ""]
    if os.path.exists(cmp):
        with open(cmp) as handle:
            lines += ["```"] + [l.rstrip("\n") for l in handle] + ["```"]
    else:
        lines.append("- not compared")

    problems = []
    for r in rows:
        if not r["run"].isdigit():
            problems.append(f"{r['system']} {r['endpoint']}: {r['run']}")
        elif any(int(r[k] or 0) for k in ("errors", "non2xx", "timeouts")):
            problems.append(f"{r['system']} {r['endpoint']} run{r['run']}: errors={r['errors']} "
                            f"non2xx={r['non2xx']} timeouts={r['timeouts']}")
        elif float(r.get("foreign_cpu") or 0) > FOREIGN_MAX:
            problems.append(f"{r['system']} {r['endpoint']} run{r['run']}: contended "
                            f"(other processes used {r['foreign_cpu']} cores)")
    lines += ["", "### Problems", ""] + ([f"- {p}" for p in problems] or ["- none"])
    print("\n".join(lines))


if __name__ == "__main__":
    main()
