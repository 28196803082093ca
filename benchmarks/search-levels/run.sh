#!/usr/bin/env bash
# What one full-text index per clearance level (migrations/0015) costs writes and space: two
# builds side by side, on the same data, in one run.
#
#   benchmarks/search-levels/run.sh BEFORE_BIN AFTER_BIN
#
# BEFORE_BIN and AFTER_BIN are two `vigil` release binaries (say, the build before 0015 copied
# aside, and the current one). Prints, for each:
#   1. load: the side-by-side benchmark's data (100k incidents, 2k sites, 200k allegations, 20k
#      denials; every record public, so in all three indexes after 0015: the largest case)
#      through `vigil import`, its time, the file's size, and the bytes of the full-text tables
#      (dbstat), per index;
#   2. migrate: BEFORE's database opened by AFTER (`vigil migrate`): its time and size;
#   3. instructions per POST (benchmarks/instructions/run.sh w: 32 connections, callgrind,
#      all threads and the writer thread's share), for the benchmark's body (restricted, the
#      default level: two indexes after 0015) and the same body marked public (three);
#   4. growth: bytes per created incident over GROWTH POSTs (restricted), the store closed
#      before and after so that the file holds everything;
#   5. POST/s: PAIRS alternating pairs of DURATION wrk runs (the harness's write script,
#      `-t2 -c32`), each on a fresh copy of that build's database, in alternating order.
#
# Environment: BENCH_DIR=<repo>/../shared/bench  BENCH_WORK=/tmp/vigil-search-levels (data
#   and databases; the generated data and the loads are kept and reused) N=2000 (instructions:
#   N/2 POSTs) GROWTH=5000 PAIRS=3 DURATION=5s PORT=8031 INCIDENTS=100000
# Needs python3, sqlite3 (with dbstat), valgrind and wrk. About 25 minutes on the 2-core machine.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${BENCH_DIR:=$REPO/../shared/bench}" "${BENCH_WORK:=/tmp/vigil-search-levels}"
: "${N:=2000}" "${GROWTH:=5000}" "${PAIRS:=3}" "${DURATION:=5s}" "${PORT:=8031}" "${INCIDENTS:=100000}"
[[ $# -eq 2 ]] || { sed -n '2,26p' "$0" >&2; exit 2; }
BEFORE=$(realpath "$1") AFTER=$(realpath "$2")
for tool in python3 sqlite3 valgrind wrk curl; do
    command -v "$tool" >/dev/null || { echo "error: $tool is missing" >&2; exit 1; }
done
mkdir -p "$BENCH_WORK"
BENCH_WORK=$(realpath "$BENCH_WORK")
export PYTHONDONTWRITEBYTECODE=1 BENCH_DIR
SERVER=""
WORK=$(mktemp -d)
cleanup() {
    if [[ -n $SERVER ]]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "== $*" >&2; }
size() { stat -c %s "$1"; }
fresh() { rm -f "$2" "$2-wal" "$2-shm"; sqlite3 "$1" ".backup '$2'"; }
WRITE_BODY='{"title": "Benchmark write %UNIQUE%", "summary": "On 01 May 2024, security forces in North Vaska, Caskar, detained without a warrant a group of students near the stadium. Family members were denied access and no charges were communicated. Relatives filed a complaint with the provincial prosecutor without response.", "occurred": "2024-05-01", "country": "XC", "admin1": "North Vaska", "lat": 12.61, "lon": 30.12, "violation_types": ["arbitrary_detention"], "victims_min": 3, "victims_max": 3}'
PUBLIC_BODY=${WRITE_BODY%\}}', "confidentiality": "public"}'

# The build's server on $PORT over database $1, until stop_server (SIGTERM: a clean close).
start_server() {
    "$BIN" serve --db "$1" --port "$PORT" >/dev/null 2>"$WORK/serve.log" &
    SERVER=$!
    for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && return; sleep 0.2; done
    echo "error: the server did not start: $(tail -3 "$WORK/serve.log")" >&2; exit 1
}
stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }

# 1. data and loads (cached)
if [[ ! -f $BENCH_WORK/export/manifest.json ]]; then
    say "data: make_db.py ($INCIDENTS incidents) and export_ndjson.py -> $BENCH_WORK"
    python3 "$BENCH_DIR/make_db.py" --out "$BENCH_WORK/incidents.db" --incidents "$INCIDENTS"
    python3 "$BENCH_DIR/export_ndjson.py" --db "$BENCH_WORK/incidents.db" --out "$BENCH_WORK/export"
fi
declare -A LOAD_SECONDS
for name in before after; do
    BIN=$BEFORE; [[ $name == after ]] && BIN=$AFTER
    db=$BENCH_WORK/$name.db
    if [[ ! -f $db || ! -f $BENCH_WORK/$name.env ]]; then
        say "load: $name build -> $db"
        rm -f "$db" "$db-wal" "$db-shm"
        start=$(date +%s.%N)
        python3 "$REPO/benchmarks/peer/load.py" "$BIN" "$BENCH_WORK/export" "$db" "$BENCH_WORK/$name-ids.tsv" \
            >"$BENCH_WORK/$name.env.part"
        echo "LOAD_SECONDS=$(echo "$(date +%s.%N) - $start" | bc)" >>"$BENCH_WORK/$name.env.part"
        mv "$BENCH_WORK/$name.env.part" "$BENCH_WORK/$name.env"
    fi
    LOAD_SECONDS[$name]=$(sed -n 's/^LOAD_SECONDS=//p' "$BENCH_WORK/$name.env")
done

echo
echo "## 1. The same data loaded by each build (every record public)"
echo
printf '%-7s %10s %14s %16s  %s\n' build "load s" "file bytes" "full-text bytes" "per index (dbstat: the table and its shadow tables)"
for name in before after; do
    db=$BENCH_WORK/$name.db
    fts=$(sqlite3 "$db" "SELECT sum(pgsize) FROM dbstat WHERE name LIKE '%\_fts%' ESCAPE '\'")
    per=$(sqlite3 "$db" "SELECT group_concat(label || ' ' || bytes, ', ') FROM (
        SELECT CASE WHEN name LIKE '%\_fts\_public%' ESCAPE '\' THEN 'public'
                    WHEN name LIKE '%\_fts\_restricted%' ESCAPE '\' THEN 'restricted'
                    WHEN name LIKE '%\_fts\_confidential%' ESCAPE '\' THEN 'confidential'
                    ELSE 'single' END AS label, sum(pgsize) AS bytes
        FROM dbstat WHERE name LIKE '%\_fts%' ESCAPE '\' GROUP BY label ORDER BY min(name))")
    printf '%-7s %10.1f %14d %16d  %s\n' "$name" "${LOAD_SECONDS[$name]}" "$(size "$db")" "$fts" "$per"
done

# 2. migration of the before build's database by the after build
echo
echo "## 2. The before build's database migrated by the after build"
echo
fresh "$BENCH_WORK/before.db" "$WORK/migrated.db"
start=$(date +%s.%N)
"$AFTER" migrate --db "$WORK/migrated.db" >/dev/null 2>&1
printf 'migrate: %.1f s; file %d bytes before, %d after (freed pages kept in the file: %d)\n' \
    "$(echo "$(date +%s.%N) - $start" | bc)" "$(size "$BENCH_WORK/before.db")" "$(size "$WORK/migrated.db")" \
    "$(sqlite3 "$WORK/migrated.db" 'PRAGMA freelist_count')"
rm -f "$WORK"/migrated.db*

# 3. instructions per POST, under callgrind
echo
echo "## 3. Instructions per POST (benchmarks/instructions/run.sh w, $((N / 2)) POSTs, 32 connections)"
echo
printf '%-7s %-11s %14s %16s\n' build level "all threads" "writer thread"
for body in restricted public; do
    for name in before after; do
        BIN=$BEFORE; [[ $name == after ]] && BIN=$AFTER
        text=$WRITE_BODY; [[ $body == public ]] && text=$PUBLIC_BODY
        rm -rf "$WORK/keep"
        line=$(VIGIL_BIN=$BIN VIGIL_DB=$BENCH_WORK/$name.db VIGIL_WRITE_BODY=$text KEEP=$WORK/keep N=$N \
            bash "$REPO/benchmarks/instructions/run.sh" w | awk '$1 == "w" {print $3}')
        dump=$(ls "$WORK"/keep/cg.w.*.1)
        writer=$(callgrind_annotate --inclusive=yes "$dump" 2>/dev/null \
            | awk '/DatabaseWriter.*loop/ {gsub(",", "", $1); print $1; exit}')
        printf '%-7s %-11s %14d %16d\n' "$name" "$body" "$line" "$(( ${writer:-0} / (N / 2) ))"
    done
done

# 4. growth per created incident
echo
echo "## 4. Database growth over $GROWTH POSTs (restricted, 32 connections; sizes after a clean stop)"
echo
token_of() { sed -n 's/^VIGIL_TOKEN=//p' "$BENCH_WORK/$1.env"; }
for name in before after; do
    BIN=$BEFORE; [[ $name == after ]] && BIN=$AFTER
    fresh "$BENCH_WORK/$name.db" "$WORK/growth.db"
    start_server "$WORK/growth.db"; stop_server  # one clean open and close: the starting size
    first=$(size "$WORK/growth.db")
    start_server "$WORK/growth.db"
    VIGIL_TOKEN=$(token_of "$name") PORT=$PORT VIGIL_WRITE_BODY=$WRITE_BODY \
        python3 "$REPO/benchmarks/instructions/concurrent_post.py" "$GROWTH" 32
    stop_server
    last=$(size "$WORK/growth.db")
    printf '%-7s %14d -> %14d bytes: %6d bytes per incident\n' "$name" "$first" "$last" $(( (last - first) / GROWTH ))
    rm -f "$WORK"/growth.db*
done

# 5. POST/s in alternating pairs
echo
echo "## 5. POST/s, wrk -t2 -c32 -d$DURATION, restricted, alternating (each run on a fresh copy)"
echo
declare -A SUM=([before]=0 [after]=0)
for pair in $(seq "$PAIRS"); do
    order=(before after); (( pair % 2 == 0 )) && order=(after before)
    results=()
    for name in "${order[@]}"; do
        BIN=$BEFORE; [[ $name == after ]] && BIN=$AFTER
        fresh "$BENCH_WORK/$name.db" "$WORK/post.db"
        start_server "$WORK/post.db"
        rps=$(BENCH_WRITE_BODY=$WRITE_BODY BENCH_WRITE_NONCE="$name-$pair" \
            wrk -t2 -c32 -d"$DURATION" --timeout 10s -s "$BENCH_DIR/wrk_write.lua" \
                -H "Authorization: Bearer $(token_of "$name")" "http://127.0.0.1:$PORT/v1/incidents" \
            | sed -n 's/^WRK_RESULT rps=\([0-9.]*\).*non2xx=\([0-9]*\).*/\1 \2/p')
        stop_server
        rm -f "$WORK"/post.db*
        [[ ${rps#* } == 0 ]] || echo "warning: $name had ${rps#* } answers other than 2xx" >&2
        results+=("$name ${rps% *}")
        SUM[$name]=$(echo "${SUM[$name]} + ${rps% *}" | bc)
    done
    echo "pair $pair: ${results[0]} POST/s, then ${results[1]} POST/s"
done
printf 'mean: before %.0f POST/s, after %.0f POST/s (after / before: %.3f)\n' \
    "$(echo "${SUM[before]} / $PAIRS" | bc -l)" "$(echo "${SUM[after]} / $PAIRS" | bc -l)" \
    "$(echo "${SUM[after]} / ${SUM[before]}" | bc -l)"
