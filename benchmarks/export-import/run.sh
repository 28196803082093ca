#!/usr/bin/env bash
# Import throughput and export memory, measured on this machine.
#
#   benchmarks/export-import/run.sh [EXPORT_ROWS] [IMPORT_ROWS]     (defaults: 1000000 100000)
#
# 1. Imports IMPORT_ROWS synthetic incidents from one CSV with `vigil import` (one transaction,
#    every row validated and audited) and prints rows per second.
# 2. Checks that a file with bad rows at known lines is refused with exactly those lines.
# 3. Loads EXPORT_ROWS incidents (in files of 100,000 rows), starts `vigil serve`, streams the
#    whole table as CSV and as NDJSON with curl, and prints the server's peak RSS growth during
#    each export (VmHWM from /proc) and the row count next to the list's `total`.
set -euo pipefail
cd "$(dirname "$0")/../.."
export_rows="${1:-1000000}"
import_rows="${2:-100000}"
work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-bench-XXXXXX")
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
here=benchmarks/export-import

swift build -c release --product vigil >/dev/null
vigil="$(swift build -c release --show-bin-path)/vigil"

echo "== import: $import_rows rows from one CSV"
python3 "$here/make_csv.py" "$import_rows" "$work/import.csv"
start=$(date +%s.%N)
"$vigil" import --db "$work/import.db" incidents "$work/import.csv" > "$work/import.json"
end=$(date +%s.%N)
python3 - "$start" "$end" "$import_rows" <<'PY'
import sys
start, end, rows = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(f"imported {rows} rows in {end - start:.1f} s: {rows / (end - start):,.0f} rows/s")
PY

echo "== import: bad rows at lines 7, 4242 and 99999 are refused by line"
python3 "$here/make_csv.py" 100000 "$work/bad.csv" --bad-lines 7,4242,99999
if "$vigil" import --db "$work/bad.db" incidents "$work/bad.csv" > "$work/bad.json" 2>/dev/null; then
    echo "FAIL: the bad file was accepted"; exit 1
fi
python3 -c "import json,sys; r=json.load(open('$work/bad.json')); print('refused lines:', [x['line'] for x in r['refused']], '· created:', len(r['created']))"

echo "== export: loading $export_rows rows"
loaded=0
while [ "$loaded" -lt "$export_rows" ]; do
    chunk=$(( export_rows - loaded < 100000 ? export_rows - loaded : 100000 ))
    python3 "$here/make_csv.py" "$chunk" "$work/chunk.csv"
    "$vigil" import --db "$work/export.db" incidents "$work/chunk.csv" > /dev/null
    loaded=$(( loaded + chunk ))
done
token=$("$vigil" token create --db "$work/export.db" --name bench --role reader --clearance confidential 2>/dev/null)
"$vigil" serve --db "$work/export.db" --port 0 > "$work/serve.out" 2> /dev/null &
server=$!
for _ in $(seq 100); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^vigil listening on //p' "$work/serve.out")
total=$(curl -s -H "Authorization: Bearer $token" "$base/v1/incidents?count=true&limit=1" | python3 -c "import json,sys; print(json.load(sys.stdin)['total'])")
kib() { awk -v key="$1" '$1 == key":" {print $2}' "/proc/$server/status"; }
for format in csv ndjson; do
    echo 5 > "/proc/$server/clear_refs" 2>/dev/null || true   # reset VmHWM to the current RSS
    before=$(kib VmRSS)
    start=$(date +%s.%N)
    lines=$(curl -s -H "Authorization: Bearer $token" "$base/v1/incidents?format=$format" | wc -l)
    end=$(date +%s.%N)
    peak=$(kib VmHWM)
    [ "$format" = csv ] && rows=$(( lines - 1 )) || rows=$lines
    python3 - "$format" "$before" "$peak" "$rows" "$total" "$start" "$end" <<'PY'
import sys
fmt, before, peak, rows, total, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
print(f"{fmt:6}: {rows:,} rows (total {total:,}: {'equal' if rows == total else 'DIFFERENT'}) in {end - start:.1f} s, "
      f"{rows / (end - start):,.0f} rows/s; RSS before {before / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, "
      f"growth {(peak - before) / 1024:.1f} MiB")
PY
done
