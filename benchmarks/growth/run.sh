#!/usr/bin/env bash
# Growth benchmark: how vigil's five reads (a-e, paths/vigil.txt of the bench folder) and its
# memory change with the size of the database.
#
#   benchmarks/growth/run.sh [SIZES...]        default: 10000 100000 1000000 (incidents)
#
# For each size N (cached under $BENCH_WORK/growth/N/; RELOAD=1 reloads vigil.db):
#   incidents.db  make_db.py --seed 1 --incidents N --sites max(200, N/50) --allegations 2N
#                 --denials N/5 (N=100000 reuses $BENCH_WORK/incidents.db and export/, the same rows)
#   export/       export_ndjson.py
#   vigil.db      peer/load.py (token and id of source incident 4242 in vigil.env, ids in vigil-ids.tsv);
#                 ~4,400 rows/s: 10k ≈ 10 s, 100k ≈ 1.5 min, 1M ≈ 15 min
# then starts `vigil serve` on PORT and measures with wrk (-t2, -t1 at one connection), after a
# WARMUP run at the same settings: a, b, e at 32 connections; c, d at 1 and at 32 connections.
# The server's peak RSS (VmHWM) over all of a size's runs is sampled every 0.2 s.
#
# Output: $BENCH_WORK/results/growth-<timestamp>/ (or OUT): results.tsv (one row per size, endpoint
# and connection count), rss.tsv, <N>/<ep>.body, <N>/server.log, report.md (also printed).
#
# Environment: DURATION=5s WARMUP=1s THREADS=2 WRK_TIMEOUT=10s PORT=8013 RELOAD=0
#   BENCH_DIR=<repo>/../shared/bench  BENCH_WORK=/tmp/vigil-bench  OUT=...
#   VIGIL_BIN=<repo>/.build/release/vigil (built with `swift build -c release` when missing)
#   REUSE_100K=1 (0: generate N=100000 under growth/ like the other sizes)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${BENCH_DIR:=$REPO/../shared/bench}"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd) || { echo "error: no bench folder at $BENCH_DIR (set BENCH_DIR)" >&2; exit 1; }
: "${BENCH_WORK:=/tmp/vigil-bench}"
BENCH_WORK=$(realpath -m "$BENCH_WORK")
: "${DURATION:=5s}" "${WARMUP:=1s}" "${THREADS:=2}" "${WRK_TIMEOUT:=10s}" "${PORT:=8013}"
: "${RELOAD:=0}" "${REUSE_100K:=1}"
: "${OUT:=$BENCH_WORK/results/growth-$(date +%Y%m%d-%H%M%S)}"
OUT=$(realpath -m "$OUT")
export BENCH_WORK PYTHONDONTWRITEBYTECODE=1
PEER=$REPO/benchmarks/peer
(($# > 0)) || set -- 10000 100000 1000000
# endpoint:connections, in the order measured
MEASURES=(a:32 b:32 e:32 c:1 c:32 d:1 d:32)

say() { echo "== $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }
for n in "$@"; do [[ $n =~ ^[0-9]+$ ]] && ((n >= 10000)) || die "size $n: need an integer >= 10000 (incident 4242 must exist)"; done
command -v wrk >/dev/null || die "wrk missing: run $BENCH_DIR/setup.sh"
command -v sqlite3 >/dev/null || die "sqlite3 missing: run $BENCH_DIR/setup.sh"

SERVER_PID="" SAMPLER_PID=""
stop_server() {
    if [[ -n $SAMPLER_PID ]]; then
        kill -TERM "$SAMPLER_PID" 2>/dev/null || true
        wait "$SAMPLER_PID" 2>/dev/null || true
        SAMPLER_PID=""
    fi
    if [[ -n $SERVER_PID ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        local i
        for ((i = 0; i < 100; i++)); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM

if [[ -z ${VIGIL_BIN:-} ]]; then
    VIGIL_BIN=$REPO/.build/release/vigil
    if [[ ! -x $VIGIL_BIN ]]; then
        say "build: swift build -c release"
        (cd "$REPO" && swift build -c release)
    fi
fi
[[ -x $VIGIL_BIN ]] || die "VIGIL_BIN=$VIGIL_BIN is not an executable"
VIGIL_BIN=$(realpath "$VIGIL_BIN")

prepare_size() {  # prepare_size N: sets DIR, EXPORT, DB; generates, exports and loads as needed
    local n=$1 t0
    DIR=$BENCH_WORK/growth/$n
    mkdir -p "$DIR"
    if [[ $n == 100000 && $REUSE_100K == 1 && -f $BENCH_WORK/incidents.db
          && -f $BENCH_WORK/export/manifest.json ]]; then
        EXPORT=$BENCH_WORK/export   # the harness's own 100k data: same generator, seed and sizes
    else
        EXPORT=$DIR/export
        if [[ ! -f $DIR/incidents.db ]]; then
            local sites=$((n / 50 > 200 ? n / 50 : 200))
            say "$n: make_db.py --incidents $n --sites $sites --allegations $((2 * n)) --denials $((n / 5))"
            t0=$SECONDS
            python3 "$BENCH_DIR/make_db.py" --out "$DIR/incidents.db" --seed 1 --incidents "$n" \
                --sites "$sites" --allegations $((2 * n)) --denials $((n / 5)) >"$DIR/make_db.log"
            echo "make_db_seconds=$((SECONDS - t0))" >>"$DIR/make_db.log"
        fi
        if [[ ! -f $EXPORT/manifest.json ]]; then
            say "$n: export_ndjson.py -> $EXPORT"
            python3 "$BENCH_DIR/export_ndjson.py" --db "$DIR/incidents.db" --out "$EXPORT"
        fi
    fi
    DB=$DIR/vigil.db
    if [[ $RELOAD == 1 || ! -f $DB || ! -f $DIR/vigil.env ]]; then
        say "$n: load.py -> $DB (vigil import, ~4,400 rows/s)"
        rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal" "$DIR/vigil.env" "$DIR/vigil-ids.tsv"
        t0=$SECONDS
        python3 "$PEER/load.py" "$VIGIL_BIN" "$EXPORT" "$DB" "$DIR/vigil-ids.tsv" >"$DIR/vigil.env.part"
        echo "load_seconds=$((SECONDS - t0))" >"$DIR/load.log"
        mv "$DIR/vigil.env.part" "$DIR/vigil.env"
    fi
}

start_server() {  # start_server N LOG
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/"; then
        die "port $PORT already in use (set PORT)"
    fi
    # The database is read once first: `vigil serve` runs SQLite's quick_check at open, which reads
    # every page in B-tree order, and from a cold page cache that took over 60 s at 1M on this
    # machine's disk (about 5 s from memory). The runs measure serving, not the disk.
    cat "$DB" >/dev/null
    local started=$SECONDS
    "$VIGIL_BIN" serve --db "$DB" --port "$PORT" >"$2" 2>&1 &
    SERVER_PID=$!
    local i
    for ((i = 0; i < 3000; i++)); do
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$2" >&2; die "vigil exited during startup"; }
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/healthz") == 200 ]] && break
        sleep 0.1
    done
    ((i < 3000)) || die "vigil not ready after 300 s (see $2)"
    say "$1: ready after $((SECONDS - started)) s"
    python3 "$PEER/rss_sampler.py" "$OUT/$1/rss.tsv" --pid "$SERVER_PID" --interval 0.2 &
    SAMPLER_PID=$!
}

run_wrk() {  # run_wrk DURATION CONNECTIONS URL -> "rps=.. p50_ms=.. p99_ms=.. requests=.. errors=.. non2xx=.. timeouts=.."
    local t=$THREADS
    (($2 < t)) && t=$2
    wrk -t"$t" -c"$2" -d"$1" --timeout "$WRK_TIMEOUT" -H "Authorization: Bearer $VIGIL_TOKEN" \
        -s "$BENCH_DIR/wrk_report.lua" "$3" </dev/null | sed -n 's/^WRK_RESULT //p'
}

mkdir -p "$OUT"
printf 'size\tendpoint\tconnections\trps\tp50_ms\tp99_ms\trequests\terrors\tnon2xx\ttimeouts\tbody_bytes\tpath\n' >"$OUT/results.tsv"
printf 'size\tvmhwm_kb\tvmrss_max_kb\tdb_bytes\n' >"$OUT/rss.tsv"
{
    echo "date: $(date -Is)"
    echo "host: $(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
    echo "wrk: -t$THREADS (-t1 at one connection) -d$DURATION --timeout $WRK_TIMEOUT, warm-up $WARMUP"
    echo "vigil: $VIGIL_BIN ($(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
    echo "sizes: $*"
} >"$OUT/env.txt"

for n in "$@"; do
    prepare_size "$n"
    VIGIL_TOKEN=$(sed -n 's/^VIGIL_TOKEN=//p' "$DIR/vigil.env")
    VIGIL_ID_4242=$(sed -n 's/^VIGIL_ID_4242=//p' "$DIR/vigil.env")
    [[ -n $VIGIL_TOKEN && -n $VIGIL_ID_4242 ]] || die "$DIR/vigil.env lacks VIGIL_TOKEN/VIGIL_ID_4242 (RELOAD=1)"
    mkdir -p "$OUT/$n"
    echo "load average before $n: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the figures)" >>"$OUT/env.txt"
    say "$n: vigil serve --db $DB --port $PORT"
    start_server "$n" "$OUT/$n/server.log"
    declare -A paths=()
    while read -r ep path; do
        paths[$ep]=${path//\{ID\}/$VIGIL_ID_4242}
    done < <(grep -Ev '^[[:space:]]*(#|$)' "$BENCH_DIR/paths/vigil.txt")
    for m in "${MEASURES[@]}"; do
        ep=${m%%:*} c=${m#*:} path=${paths[${m%%:*}]}
        url="http://127.0.0.1:$PORT$path"
        read -r code bytes < <(curl -s -H "Authorization: Bearer $VIGIL_TOKEN" -o "$OUT/$n/$ep.body" \
                                    -w '%{http_code} %{size_download}\n' "$url" </dev/null)
        if [[ $code != 200 ]]; then
            echo "!! $n $ep: HTTP $code for $path" >&2
            printf '%s\t%s\t%s\thttp_%s\t\t\t\t\t\t\t%s\t%s\n' "$n" "$ep" "$c" "$code" "$bytes" "$path" >>"$OUT/results.tsv"
            continue
        fi
        [[ $WARMUP == 0 ]] || run_wrk "$WARMUP" "$c" "$url" >/dev/null
        res=$(run_wrk "$DURATION" "$c" "$url")
        [[ -n $res ]] || die "$n $ep: wrk produced no result"
        read -r -a vals <<<"$(sed 's/[a-z0-9_]*=//g' <<<"$res")"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$ep" "$c" "$(IFS=$'\t'; echo "${vals[*]}")" "$bytes" "$path" >>"$OUT/results.tsv"
        printf '%-8s %s c=%-3s %s body=%sB\n' "$n" "$ep" "$c" "$res" "$bytes" >&2
    done
    unset paths
    stop_server
    hwm="" rss=""
    read -r hwm rss < <(awk -F'\t' 'NR == 2 {print $3, $4}' "$OUT/$n/rss.tsv") || true
    printf '%s\t%s\t%s\t%s\n' "$n" "${hwm:-}" "${rss:-}" "$(stat -c %s "$DB")" >>"$OUT/rss.tsv"
    say "$n: peak RSS $((${hwm:-0} / 1024)) MiB"
done

python3 "$REPO/benchmarks/growth/report.py" "$OUT" | tee "$OUT/report.md"
echo "results in $OUT" >&2
