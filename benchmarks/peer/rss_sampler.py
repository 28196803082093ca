#!/usr/bin/env python3
"""Records the peak memory of `vigil serve` processes while a benchmark runs.

Every INTERVAL seconds it finds the running `vigil serve --db DB ...` processes (or only --pid PID)
and reads VmHWM (the kernel's peak resident set) and VmRSS from /proc/PID/status, keeping per label
the largest VmHWM and the largest VmRSS seen. A process's label is given by --label DB=LABEL (its
--db argument, compared after realpath) or is the --db path itself. The table is rewritten to OUT
whenever it changes ("label pid vmhwm_kb vmrss_max_kb samples", tab-separated), so it is complete
however the sampler is stopped (SIGTERM from the script that started it).

Usage: rss_sampler.py OUT [--interval 0.2] [--port 8003] [--pid PID] [--label DB=LABEL ...]
"""
import argparse
import os
import signal
import sys
import time


def serve_processes(port):
    """(pid, db) of every `vigil serve` process (listening on port, if given)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                argv = handle.read().split(b"\0")
        except OSError:
            continue
        argv = [a.decode("utf-8", "replace") for a in argv if a]
        if len(argv) < 4 or os.path.basename(argv[0]) != "vigil" or argv[1] != "serve" or "--db" not in argv:
            continue
        if port and ("--port" not in argv or argv[argv.index("--port") + 1:][:1] != [str(port)]):
            continue
        db = argv[argv.index("--db") + 1] if argv.index("--db") + 1 < len(argv) else ""
        found.append((int(entry), db))
    return found


def memory_kb(pid):
    values = {}
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    key, value = line.split(":", 1)
                    values[key] = int(value.split()[0])
    except OSError:
        return None
    return values if len(values) == 2 else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--interval", type=float, default=0.2)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--pid", type=int, default=0)
    ap.add_argument("--label", action="append", default=[], metavar="DB=LABEL")
    a = ap.parse_args()
    labels = {}
    for item in a.label:
        db, _, label = item.rpartition("=")
        labels[os.path.realpath(db)] = label
    peaks = {}  # label -> [pid, hwm, rss_max, samples]

    def write():
        with open(a.out + ".part", "w") as handle:
            handle.write("label\tpid\tvmhwm_kb\tvmrss_max_kb\tsamples\n")
            for label, (pid, hwm, rss, n) in peaks.items():
                handle.write(f"{label}\t{pid}\t{hwm}\t{rss}\t{n}\n")
        os.replace(a.out + ".part", a.out)

    def stop(*_):
        write()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    write()
    while True:
        procs = [(a.pid, "")] if a.pid else serve_processes(a.port)
        changed = False
        for pid, db in procs:
            mem = memory_kb(pid)
            if mem is None:
                continue
            label = labels.get(os.path.realpath(db), db) if db else str(pid)
            peak = peaks.setdefault(label, [pid, 0, 0, 0])
            if mem["VmHWM"] > peak[1] or mem["VmRSS"] > peak[2] or peak[0] != pid:
                changed = True
            peak[0] = pid
            peak[1] = max(peak[1], mem["VmHWM"])
            peak[2] = max(peak[2], mem["VmRSS"])
            peak[3] += 1
        if changed:
            write()
        time.sleep(a.interval)


if __name__ == "__main__":
    main()
