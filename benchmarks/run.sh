#!/usr/bin/env bash
# The performance benchmark in one command: vigil against datasette (reads a-e and write w, in
# one run_peer.sh call), the nginx ceiling on vigil's own bodies, vigil's peak memory, and the
# "same records" check of every answer; ends with one table, also saved as $OUT/report.md.
#
#   benchmarks/run.sh            (from any folder)
#
# Steps, each skipped when its result exists:
#   1. $BENCH_DIR/setup.sh         when $BENCH_WORK/incidents.db or the datasette venvs are missing
#   2. export_ndjson.py            when $BENCH_WORK/export/ is missing
#   3. swift build -c release      unless VIGIL_BIN is given
#   4. peer/load.py                when $VIGIL_DB is missing, or RELOAD=1 (its VIGIL_TOKEN and
#                                  VIGIL_ID_4242 lines are cached in ${VIGIL_DB%.db}.env, its id
#                                  map in ${VIGIL_DB%.db}-ids.tsv; peer/ids_from_db.py rebuilds a
#                                  missing map of a database loaded earlier)
# Then:
#   5. run_peer.sh datasette-immutable vigil datasette-writes vigil-writes, with
#      peer/rss_sampler.py recording the vigil server's VmHWM during the reads and the writes
#   6. run_ceiling.sh $OUT/vigil   (nginx serving vigil's exact bodies; same $OUT/results.tsv)
#   7. peer/compare.py             (vigil's bodies hold datasette's records, in the same order)
#   8. peer/report.py              -> $OUT/report.md, printed
#   9. ceiling-pairs.sh a          (by id against nginx in CEILING_PAIRS=4 alternating pairs of
#                                  runs, appended to report.md: the harness measures the ceiling
#                                  minutes after vigil, on a machine whose speed moves meanwhile)
#
# Environment (passed through to the harness): DURATION=10s RUNS=2 WARMUP=2s THREADS=2
#   CONNECTIONS=32 WRK_TIMEOUT=10s QUIET_MAX_PCT=15 QUIET_WAIT=300 SERVER_CPUS= WRK_CPUS=
#   BENCH_DIR=<repo>/../shared/bench  BENCH_WORK=/tmp/vigil-bench  OUT=$BENCH_WORK/results/<timestamp>
#   VIGIL_BIN=<repo>/.build/release/vigil (given: no build)  VIGIL_DB=$BENCH_WORK/vigil.db
#   RELOAD=1 (reload VIGIL_DB from the export)  VIGIL_ARGS= (extra `vigil serve` flags)
#   RSS_INTERVAL=0.2 (seconds between memory samples)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${BENCH_DIR:=$REPO/../shared/bench}"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd) || { echo "error: no bench folder at $BENCH_DIR (set BENCH_DIR)" >&2; exit 1; }
: "${BENCH_WORK:=/tmp/vigil-bench}"
BENCH_WORK=$(realpath -m "$BENCH_WORK")
: "${RUNS:=2}" "${RELOAD:=0}" "${RSS_INTERVAL:=0.2}"
: "${OUT:=$BENCH_WORK/results/$(date +%Y%m%d-%H%M%S)}"
OUT=$(realpath -m "$OUT")
: "${VIGIL_DB:=$BENCH_WORK/vigil.db}"
VIGIL_DB=$(realpath -m "$VIGIL_DB")
VIGIL_ENV=${VIGIL_DB%.db}.env
ID_MAP=${VIGIL_DB%.db}-ids.tsv
export BENCH_WORK RUNS OUT
export PYTHONDONTWRITEBYTECODE=1
PEER=$REPO/benchmarks/peer

say() { echo "== $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }
[[ -f $BENCH_DIR/run_peer.sh ]] || die "$BENCH_DIR has no run_peer.sh (set BENCH_DIR)"
mkdir -p "$BENCH_WORK"

SAMPLER_PID=""
cleanup() {
    if [[ -n $SAMPLER_PID ]]; then
        kill -TERM "$SAMPLER_PID" 2>/dev/null || true
        wait "$SAMPLER_PID" 2>/dev/null || true
        SAMPLER_PID=""
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1-2. harness set-up and the export vigil loads
if [[ ! -f $BENCH_WORK/incidents.db || ! -x $BENCH_WORK/.venv/bin/datasette
      || ! -x $BENCH_WORK/.venv-writes/bin/datasette ]]; then
    say "set-up: $BENCH_DIR/setup.sh"
    bash "$BENCH_DIR/setup.sh"
fi
if [[ ! -f $BENCH_WORK/export/manifest.json ]]; then
    say "export: $BENCH_WORK/incidents.db -> $BENCH_WORK/export"
    python3 "$BENCH_DIR/export_ndjson.py" --db "$BENCH_WORK/incidents.db" --out "$BENCH_WORK/export"
fi

# 3. vigil
if [[ -z ${VIGIL_BIN:-} ]]; then
    say "build: swift build -c release"
    (cd "$REPO" && swift build -c release)
    VIGIL_BIN=$REPO/.build/release/vigil
fi
[[ -x $VIGIL_BIN ]] || die "VIGIL_BIN=$VIGIL_BIN is not an executable"
VIGIL_BIN=$(realpath "$VIGIL_BIN")

# 4. vigil's database, loaded from the export (cached)
if [[ $RELOAD == 1 || ! -f $VIGIL_DB || ! -f $VIGIL_ENV ]]; then
    say "load: $BENCH_WORK/export -> $VIGIL_DB (every row through vigil import; ~1 min per 100k incidents)"
    rm -f "$VIGIL_DB" "$VIGIL_DB-wal" "$VIGIL_DB-shm" "$VIGIL_DB-journal" "$VIGIL_ENV" "$ID_MAP"
    python3 "$PEER/load.py" "$VIGIL_BIN" "$BENCH_WORK/export" "$VIGIL_DB" "$ID_MAP" >"$VIGIL_ENV.part"
    mv "$VIGIL_ENV.part" "$VIGIL_ENV"
fi
if [[ ! -f $ID_MAP ]]; then
    say "id map: rebuilding $ID_MAP from $VIGIL_DB"
    python3 "$PEER/ids_from_db.py" "$VIGIL_DB" "$BENCH_WORK/export" "$ID_MAP"
fi
VIGIL_TOKEN=$(sed -n 's/^VIGIL_TOKEN=//p' "$VIGIL_ENV")
VIGIL_ID_4242=$(sed -n 's/^VIGIL_ID_4242=//p' "$VIGIL_ENV")
[[ -n $VIGIL_TOKEN && -n $VIGIL_ID_4242 ]] || die "$VIGIL_ENV lacks VIGIL_TOKEN/VIGIL_ID_4242 (RELOAD=1)"
export VIGIL_BIN VIGIL_DB VIGIL_TOKEN VIGIL_ID_4242
export VIGIL_COUNT_SQL="select count(*) from incidents where title like 'Benchmark write %'"

# 5. peer run, with vigil's memory sampled (reads: VIGIL_DB; writes: the harness's fresh copy)
mkdir -p "$OUT"
say "peer run -> $OUT (DURATION=${DURATION:-10s} RUNS=$RUNS)"
python3 "$PEER/rss_sampler.py" "$OUT/rss.tsv" --interval "$RSS_INTERVAL" --port 8003 \
    --label "$VIGIL_DB=vigil (reads)" --label "$BENCH_WORK/vigil-writes.db=vigil-writes (writes)" &
SAMPLER_PID=$!
bash "$BENCH_DIR/run_peer.sh" datasette-immutable vigil datasette-writes vigil-writes
cleanup

# 6. ceiling: nginx serving the bodies vigil answered with
say "ceiling: nginx serving $OUT/vigil/*.body"
bash "$BENCH_DIR/run_ceiling.sh" "$OUT/vigil"

# 7-8. same answers, then the table
say "compare: vigil's answers vs datasette's"
python3 "$PEER/compare.py" "$OUT" "$ID_MAP" >"$OUT/compare.txt" || true
python3 "$PEER/report.py" "$OUT" | tee "$OUT/report.md"

# 9. by id against the ceiling, the two alternating on the same minutes
say "by id against nginx, alternating"
{ echo; echo '```'; PAIRS=${CEILING_PAIRS:-4} BENCH_DIR="$BENCH_DIR" BENCH_WORK="$BENCH_WORK" bash "$REPO/benchmarks/ceiling-pairs.sh" a; echo '```'; } | tee -a "$OUT/report.md"
echo "results in $OUT (report.md, summary.md, results.tsv, rss.tsv, compare.txt)" >&2
