#!/usr/bin/env bash
# Builds the request-parser fuzzer with libFuzzer + AddressSanitizer and runs it.
# Usage: fuzz/run.sh [seconds]   (default 600). Needs libclang-rt-14-dev for LeakSanitizer.
# New inputs are added to fuzz/corpus (minimize with: .build/fuzz/parser-fuzzer -merge=1 NEW_DIR fuzz/corpus);
# crashes land in fuzz/artifacts.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
mkdir -p .build/fuzz fuzz/artifacts fuzz/corpus
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name VigilHTTPFuzz \
    Sources/VigilHTTP/Parser/*.swift fuzz/ParserFuzzer.swift -o .build/fuzz/parser-fuzzer
export SWIFT_BACKTRACE=enable=no
exec .build/fuzz/parser-fuzzer fuzz/corpus -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -detect_leaks=1 -artifact_prefix=fuzz/artifacts/ -print_final_stats=1
