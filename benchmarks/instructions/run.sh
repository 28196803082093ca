#!/usr/bin/env bash
# Instructions per request: runs `vigil serve` under valgrind's callgrind, sends N pipelined
# requests per endpoint on one connection, and prints the server's user-space instructions
# (Ir, its own code, Swift's runtime, libc and SQLite; not the kernel) per request.
#
#   benchmarks/instructions/run.sh [LETTERS...]      default: a b e (paths of the bench folder)
#
# Letter w is the write endpoint: N/2 one-incident POSTs from 32 connections at once (so the
# writer commits them in groups, as under load), on a copy of the database; the count covers
# every thread (event threads, the blocking pool, the writer), and KEEP's files show the
# writer thread's share under `DatabaseWriter.loop`. It repeats within about 1% for a build; its
# full-text share can move between builds with the pattern of the groups (docs/performance.md).
# Needs the sqlite3 command (the copy is made with .backup).
#
# Unlike requests/s on a shared machine, the count is the same from one run to the next (within
# about 0.5%): it shows what a change to the code costs or saves, a few percent included, where
# wrk's figures move 10-20% between runs. It is not a speed: cache misses, system calls and the
# scheduler are not in it. Compare two builds with the same database and settings.
#
# Environment: VIGIL_BIN (default: the release build, built if missing) VIGIL_DB
#   (default $BENCH_WORK/vigil.db, loaded by benchmarks/run.sh; its .env file gives the token and
#   the id of incident 4242) N=2000 (b, d: N/5) DEPTH=8 THREADS=2 (`--threads`) PORT=8013
#   KEEP=<folder> (keeps callgrind's files, for callgrind_annotate)
# Needs valgrind (apt-get install -y valgrind) and python3.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$REPO/benchmarks/instructions
: "${BENCH_DIR:=$REPO/../shared/bench}" "${BENCH_WORK:=/tmp/vigil-bench}"
: "${VIGIL_DB:=$BENCH_WORK/vigil.db}" "${N:=2000}" "${DEPTH:=8}" "${THREADS:=2}" "${PORT:=8013}"
export DEPTH PORT
command -v valgrind >/dev/null || { echo "error: valgrind is missing (apt-get install -y valgrind)" >&2; exit 1; }
source "$REPO/benchmarks/lib/side-by-side-db.sh"
LETTERS=("$@"); [[ ${#LETTERS[@]} -gt 0 ]] || LETTERS=(a b e)

WORK=$(mktemp -d)
SERVER=""
cleanup() {
    if [[ -n $SERVER ]]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
# valgrind 3.19 cannot read the DWARF 5 of Swift 6 builds: the debug sections are dropped
# (function names stay, in the symbol table).
strip --strip-debug -o "$WORK/vigil" "$VIGIL_BIN"

printf '%-3s %10s %14s\n' "ep" "requests" "Ir/request"
for letter in "${LETTERS[@]}"; do
    count=$N
    [[ $letter == b || $letter == d ]] && count=$((N / 5))
    db=$VIGIL_DB
    if [[ $letter == w ]]; then
        command -v sqlite3 >/dev/null || { echo "error: sqlite3 is missing (apt-get install -y sqlite3)" >&2; exit 1; }
        count=$((N / 2))
        db=$WORK/writes.db   # the writes go to a copy; the reads' database never changes
        sqlite3 "$VIGIL_DB" ".backup '$db'"
    else
        path=$(vigil_path "$letter")
    fi
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.$letter.%p" \
        "$WORK/vigil" serve --db "$db" --port "$PORT" --threads "$THREADS" >/dev/null 2>"$WORK/valgrind.$letter.log" &
    SERVER=$!
    for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.3; done
    if [[ $letter == w ]]; then
        python3 "$HERE/concurrent_post.py" 200 32   # warm-up
        callgrind_control -z "$SERVER" >/dev/null 2>&1
        python3 "$HERE/concurrent_post.py" "$count" 32
    else
        python3 "$HERE/pipelined_get.py" "$path" 100   # warm-up: statements prepared, pages cached
        callgrind_control -z "$SERVER" >/dev/null 2>&1
        python3 "$HERE/pipelined_get.py" "$path" "$count"
    fi
    callgrind_control -d "$SERVER" >/dev/null 2>&1
    sleep 1
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
    # The first dump (file suffix .1), taken after the zeroing, holds the requests' instructions.
    dump=$(ls "$WORK"/cg."$letter".*.1)
    total=$(grep -m1 -E "^(summary|totals):" "$dump" | awk '{print $2}')
    printf '%-3s %10d %14d\n' "$letter" "$count" $((total / count))
    if [[ -n ${KEEP:-} ]]; then mkdir -p "$KEEP" && cp "$WORK"/cg."$letter".* "$KEEP"/; fi
done
