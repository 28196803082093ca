#!/usr/bin/env bash
# Serves benchmarks/http/body.json from VigilHTTP and from nginx, measures both with
# wrk (2 threads, 64 connections) in the same run, alternating ROUNDS times so that noise from
# other work on the machine hits both alike, and prints every figure, the medians and the ratio.
# Usage: benchmarks/http/run.sh [seconds-per-round] [threads] [rounds]   Needs wrk and nginx-light.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-5}"
threads="${2:-4}"
rounds="${3:-3}"
work="$(mktemp -d)"
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

mkdir -p .build/bench
swiftc -O -wmo -parse-as-library -module-name VigilHTTPBench -I Sources/CEpoll \
    Sources/VigilHTTP/Parser/*.swift Sources/VigilHTTP/Handler/*.swift Sources/VigilHTTP/Server/*.swift \
    benchmarks/http/BenchServer.swift -o .build/bench/bench-server

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ours_port="$(free_port)"
nginx_port="$(free_port)"

.build/bench/bench-server "$ours_port" benchmarks/http/body.json "$threads" > "$work/ours.log" 2>&1 &
echo $! > "$work/ours.pid"

mkdir -p "$work/html"
cp benchmarks/http/body.json "$work/html/body.json"
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/error.log;
daemon off;
events { worker_connections 4096; }
http {
    access_log off;
    default_type application/json;
    keepalive_requests 1000000;
    client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
    server { listen 127.0.0.1:$nginx_port; root $work/html; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" &
echo $! > "$work/nginx-main.pid"

for port in "$ours_port" "$nginx_port"; do
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/body.json" > /dev/null && break; sleep 0.1; done
done
cmp <(curl -s "http://127.0.0.1:$ours_port/body.json") <(curl -s "http://127.0.0.1:$nginx_port/body.json")

measure() { # port name round
    wrk -t2 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$1/body.json" > "$work/$2.$3.wrk"
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/$2.$3.wrk")
    p99=$(awk '$1=="99%" {print $2}' "$work/$2.$3.wrk")
    errors=$(grep -E "Socket errors|Non-2xx" "$work/$2.$3.wrk" || true)
    echo "$rps $p99" >> "$work/$2.results"
    echo "round $3 $2: $rps req/s, p99 $p99 $errors"
}
wrk -t2 -c64 -d2s "http://127.0.0.1:$ours_port/body.json" > /dev/null   # warm-up
wrk -t2 -c64 -d2s "http://127.0.0.1:$nginx_port/body.json" > /dev/null
for round in $(seq "$rounds"); do
    measure "$ours_port" vigil "$round"
    measure "$nginx_port" nginx "$round"
done
python3 - "$work" <<'PY'
import sys, statistics
work = sys.argv[1]
def load(name):
    rows = [line.split() for line in open(f"{work}/{name}.results")]
    def ms(value):
        return float(value[:-2]) if value.endswith("ms") else float(value[:-2]) / 1000 if value.endswith("us") else float(value[:-1]) * 1000
    return statistics.median(float(r[0]) for r in rows), statistics.median(ms(r[1]) for r in rows)
ours, ours_p99 = load("vigil")
nginx, nginx_p99 = load("nginx")
print(f"median vigil: {ours:.0f} req/s, p99 {ours_p99:.2f} ms")
print(f"median nginx: {nginx:.0f} req/s, p99 {nginx_p99:.2f} ms")
print(f"ratio vigil/nginx: {ours / nginx:.2f}")
PY
