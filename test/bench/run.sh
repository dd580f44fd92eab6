#!/usr/bin/env bash
#
# test/bench/run.sh -- retail_fdw benchmarks: throughput, latency, memory,
# requests, each against its target; prints a Markdown table.
#
# Builds and installs retail_fdw, starts a throwaway PostgreSQL 15 cluster and
# the vendor simulator (journey pages generated once, then served from its
# response cache), builds the json-c baseline (jsonc_sum.c), runs
# test/bench/bench.py and cleans up.  Not part of the test suite.
#
# Knobs:
#   BENCH_RUNS=N      medians of N runs (default 5)
#   BENCH_LAT_RUNS=N  latency runs (default min(BENCH_RUNS, 3))
#   BENCH_QUICK=1     smoke mode: a tenth of the data, page_size 1000, 50 ms delays,
#                     1 run (about 20 s); too noisy to judge targets by
#   BENCH_DELAY_MS=N  per-page delay of the latency case (default 250)
#   BENCH_PERF=1      perf record one more retail_fdw throughput run (needs perf)
#   BENCH_OUT=FILE    also write the table there
#   BENCH_ONLY=parallel  run the parallel cases alone (the serial plan against
#                     2 workers: four days x 3 stores = 12 series, ~800k rows,
#                     and four days of one store = 4 series)
#   BENCH_ONLY=anchors   run issue 26's side-by-side case alone (anchors.py:
#                     file_fdw, simdjson, json-c, COPY + jsonb, retail_fdw
#                     network and cached, peak memory against requests)
#   RF_KEEP=1         keep the temp directory (logs, fetched pages, perf.data)

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=test/lib.sh
. test/lib.sh
cd "$RF_REPO"

# ~100,000 events per day over the 3 stores, ~1,000,000 over the 10 days
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    visits=537
else
    visits=6500
fi

rf_ensure_packages
if ! command -v curl >/dev/null 2>&1; then
    rf_log "installing curl"
    _rf_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y curl \
        || rf_die "apt-get install curl failed"
fi
if [ "${BENCH_PERF:-0}" = 1 ] && ! command -v perf >/dev/null 2>&1; then
    rf_die "BENCH_PERF=1 needs perf (apt-get install linux-perf)"
fi
rf_build_install
rf_tmp

rf_log "building the json-c baseline"
cc -O2 -Wall -o "$RF_TMP/jsonc_sum" test/bench/jsonc_sum.c -ljson-c \
    || rf_die "could not build test/bench/jsonc_sum.c"

# The parse limit: simdjson's on-demand API (Debian's libsimdjson-dev, only
# for this helper; retail_fdw does not link it).  Skipped, saying so, when
# it cannot be installed or built.
simdjson_args=()
if ! printf '#include <simdjson.h>\n' | c++ -E -x c++ - >/dev/null 2>&1; then
    rf_log "installing libsimdjson-dev (the simdjson baseline) and g++"
    _rf_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y libsimdjson-dev g++ \
        || rf_log "SKIPPING the simdjson baseline: apt-get install libsimdjson-dev g++ failed"
fi
if c++ -O2 -std=c++17 -Wall -o "$RF_TMP/simdjson_sum" test/bench/simdjson_sum.cpp -lsimdjson; then
    simdjson_args=(--simdjson "$RF_TMP/simdjson_sum")
else
    rf_log "SKIPPING the simdjson baseline: test/bench/simdjson_sum.cpp did not build (needs libsimdjson-dev and g++)"
fi

export SIM_VENDORS=journey
export BENCH_VISITS=$visits
rf_start_sim --seed 42 --option journey.stores=3 \
    --option "journey.visits_per_day=$visits" --option journey.response_cache=1
rf_start_cluster

mkdir -p "$RF_TMP/work"
"$RF_PYTHON" test/bench/bench.py --jsonc "$RF_TMP/jsonc_sum" "${simdjson_args[@]}" \
    --workdir "$RF_TMP/work" \
    ${BENCH_OUT:+--out "$BENCH_OUT"}
