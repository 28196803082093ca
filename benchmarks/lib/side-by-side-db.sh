# Sourced by the benchmarks that reuse benchmarks/run.sh's database (ceiling-pairs.sh,
# instructions/run.sh). Expects REPO, BENCH_DIR and VIGIL_DB; exports the database's token and
# the id of incident 4242 from its .env file, and sets VIGIL_BIN (the release build, built when
# missing, unless given).
[[ -f $VIGIL_DB ]] || { echo "error: no database at $VIGIL_DB (run benchmarks/run.sh once)" >&2; exit 1; }
ENV_FILE=${VIGIL_DB%.db}.env
[[ -f $ENV_FILE ]] || { echo "error: no $ENV_FILE with VIGIL_TOKEN and VIGIL_ID_4242" >&2; exit 1; }
set -a; source "$ENV_FILE"; set +a
if [[ -z ${VIGIL_BIN:-} ]]; then
    VIGIL_BIN=$REPO/.build/release/vigil
    [[ -x $VIGIL_BIN ]] || (cd "$REPO" && swift build -c release)
fi

# vigil_path LETTER: the side-by-side benchmark's path for endpoint LETTER, with incident 4242's id.
vigil_path() {
    local line
    line=$(grep -E "^$1 " "$BENCH_DIR/paths/vigil.txt") || { echo "error: no endpoint $1" >&2; exit 1; }
    line=${line#* }
    echo "${line//\{ID\}/$VIGIL_ID_4242}"
}
