#!/usr/bin/env bash
# One endpoint against its HTTP ceiling, in alternating pairs: nginx serving Vigil's exact
# response bytes (the harness's nginx-static settings), then Vigil itself, PAIRS times, with the
# side-by-side run's wrk settings. Prints each pair's ratio (Vigil ÷ nginx) and their median.
#
#   benchmarks/ceiling-pairs.sh [LETTER]        default: a (one incident by id)
#
# Why: in `benchmarks/run.sh` the ceiling is measured minutes after Vigil, and on this shared
# machine the ceiling alone moves by up to a quarter between two 10 s runs; runs taken side by
# side, alternating, put both systems on the same minutes, so their ratio says more than one
# pair of runs minutes apart.
#
# Environment: VIGIL_BIN (default: the release build, built if missing) VIGIL_DB (default
#   $BENCH_WORK/vigil.db, loaded by benchmarks/run.sh; its .env file gives the token and the id
#   of incident 4242) PAIRS=4 DURATION=10s WARMUP=2s THREADS=2 CONNECTIONS=32
#   NGINX_WORKERS=auto VIGIL_PORT=8023 NGINX_PORT=8022
# Needs wrk, nginx and curl (../shared/bench/setup.sh installs them).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${BENCH_DIR:=$REPO/../shared/bench}" "${BENCH_WORK:=/tmp/vigil-bench}"
: "${VIGIL_DB:=$BENCH_WORK/vigil.db}" "${PAIRS:=4}" "${DURATION:=10s}" "${WARMUP:=2s}"
: "${THREADS:=2}" "${CONNECTIONS:=32}" "${NGINX_WORKERS:=auto}" "${VIGIL_PORT:=8023}" "${NGINX_PORT:=8022}"
LETTER=${1:-a}
for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null || { echo "error: $tool is missing (run ../shared/bench/setup.sh)" >&2; exit 1; }
done
source "$REPO/benchmarks/lib/side-by-side-db.sh"
path=$(vigil_path "$LETTER")

WORK=$(mktemp -d)
VIGIL_PID="" NGINX_PID=""
cleanup() {
    for pid in $VIGIL_PID $NGINX_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

"$VIGIL_BIN" serve --db "$VIGIL_DB" --port "$VIGIL_PORT" >/dev/null 2>"$WORK/vigil.log" &
VIGIL_PID=$!
for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$VIGIL_PORT/healthz" && break; sleep 0.3; done
AUTH="Authorization: Bearer $VIGIL_TOKEN"
mkdir -p "$WORK/www" "$WORK/tmp"
curl -sS --fail -H "$AUTH" -o "$WORK/www/$LETTER.json" "http://127.0.0.1:$VIGIL_PORT$path"
chmod -R a+rX "$WORK"   # nginx workers run as an unprivileged user when started as root
cat >"$WORK/nginx.conf" <<CONF
worker_processes $NGINX_WORKERS;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi;
    scgi_temp_path $WORK/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/json;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/www;
    }
}
CONF
nginx -e "$WORK/error.log" -p "$WORK" -c "$WORK/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/$LETTER.json" && break; sleep 0.1; done

VIGIL_URL="http://127.0.0.1:$VIGIL_PORT$path"
NGINX_URL="http://127.0.0.1:$NGINX_PORT/$LETTER.json"
rps() {  # rps DURATION URL: requests/s of one wrk run (the same headers for both systems)
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" -H "$AUTH" -s "$BENCH_DIR/wrk_report.lua" "$2" \
        | sed -n 's/^WRK_RESULT rps=\([0-9.]*\).*/\1/p'
}
rps "$WARMUP" "$NGINX_URL" >/dev/null
rps "$WARMUP" "$VIGIL_URL" >/dev/null

echo "endpoint $LETTER ($path), $PAIRS pairs of $DURATION runs, $(date -u +%H:%M) UTC"
printf '%-5s %12s %12s %8s\n' pair "nginx req/s" "vigil req/s" ratio
ratios=()
for ((pair = 1; pair <= PAIRS; pair++)); do
    ceiling=$(rps "$DURATION" "$NGINX_URL")
    vigil=$(rps "$DURATION" "$VIGIL_URL")
    ratio=$(awk -v v="$vigil" -v c="$ceiling" 'BEGIN { printf "%.3f", v / c }')
    ratios+=("$ratio")
    printf '%-5s %12.0f %12.0f %7.1f%%\n' "$pair" "$ceiling" "$vigil" "$(awk -v r="$ratio" 'BEGIN { print r * 100 }')"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END {
    m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
    printf "median %.1f%%, lowest %.1f%%, highest %.1f%%\n", m * 100, r[1] * 100, r[NR] * 100
}'
