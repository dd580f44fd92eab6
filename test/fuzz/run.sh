#!/usr/bin/env bash
#
# test/fuzz/run.sh -- build the libFuzzer targets of fdw/jsonpage.c (with
# fdw/jsonstream.c) and run
# each for a while; fails on any crash, leak, timeout or sanitizer report.
# The vendor targets link the extension's own descriptors (fdw/vendor.c,
# fdw/param.c, fdw/vendors/registry.c and each fdw/vendors/<vendor>/<vendor>.c,
# built without PostgreSQL and without planning hooks: RF_STANDALONE).
#
#   FUZZ_SECONDS=N    seconds per target (default 4; 600 for the long run)
#   FUZZ_TARGETS="a b" targets to run (default: all fuzz_*.c but fuzz_common)
#   FUZZ_BUILD=DIR    build and working-corpus directory (default: a new
#                     /tmp/retail_fdw_fuzz.XXXXXX, removed unless it failed
#                     or FUZZ_KEEP=1)
#   FUZZ_JOBS_NICE=N  niceness of the fuzzing processes (default 10)
#   CC                a clang with libFuzzer (default clang)
#
# The seed corpus is test/fuzz/corpus/<target>/ (read, never written); new
# inputs go to $FUZZ_BUILD/corpus/<target>.  Crashing inputs are kept as
# $FUZZ_BUILD/artifacts/<target>-crash-*; add them to the seed corpus once
# fixed.  Each target first runs every seed, then mutates for FUZZ_SECONDS.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd "$here/../.." && pwd -P)"
seconds="${FUZZ_SECONDS:-4}"
nice_n="${FUZZ_JOBS_NICE:-10}"
cc="${CC:-clang}"
case "$cc" in cc | gcc | */gcc) cc=clang ;; esac

if [ -n "${FUZZ_TARGETS:-}" ]; then
    read -r -a targets <<<"$FUZZ_TARGETS"
else
    targets=()
    for f in "$here"/fuzz_*.c; do
        t=$(basename "$f" .c)
        [ "$t" = fuzz_common ] || targets+=("$t")
    done
fi

if [ -n "${FUZZ_BUILD:-}" ]; then
    build="$FUZZ_BUILD"
    mkdir -p "$build"
    own_build=0
else
    build="$(mktemp -d /tmp/retail_fdw_fuzz.XXXXXX)"
    own_build=1
fi
mkdir -p "$build/artifacts" "$build/corpus"

sanitizers="address,undefined"
flags=(-g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all
    -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
    -DRF_STANDALONE -I"$repo/fdw" -I"$here")
# each vendor module's descriptor tables: fdw/vendors/<vendor>/<vendor>.c
descriptors=("$repo"/fdw/vendor.c "$repo"/fdw/param.c "$repo"/fdw/vendors/registry.c)
for d in "$repo"/fdw/vendors/*/; do
    descriptors+=("$d$(basename "$d").c")
done

echo "==> building ${#targets[@]} fuzz targets with $cc in $build"
# the code under test, the descriptors and the driver: instrumented,
# without libFuzzer's main
objs=()
for src in "$repo/fdw/jsonstream.c" "$repo/fdw/jsonpage.c" "${descriptors[@]}" "$here/fuzz_common.c"; do
    obj="$build/$(basename "$src" .c).o"
    "$cc" "${flags[@]}" -fsanitize="fuzzer-no-link,$sanitizers" -c "$src" -o "$obj"
    objs+=("$obj")
done
for t in "${targets[@]}"; do
    "$cc" "${flags[@]}" -fsanitize="fuzzer,$sanitizers" "$here/$t.c" \
        "${objs[@]}" -ljson-c -o "$build/$t"
done

failed=()
for t in "${targets[@]}"; do
    seeds="$here/corpus/$t"
    work="$build/corpus/$t"
    log="$build/$t.log"
    mkdir -p "$work"
    dirs=("$work")
    [ -d "$seeds" ] && dirs+=("$seeds")
    dict=()
    [ -f "$here/json.dict" ] && dict=(-dict="$here/json.dict")
    echo "==> $t: ${seconds}s ($(find "${dirs[@]}" -type f | wc -l) inputs to start from)"
    start=$SECONDS
    set +e
    # shellcheck disable=SC2086
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
        nice -n "$nice_n" "$build/$t" "${dict[@]}" \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
        "${dirs[@]}" >"$log" 2>&1
    rc=$?
    set -e
    # a crashed run prints no final stats: say FAIL below, not nothing
    stats=$({ grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" || true; } |
        sed 's/^stat:://' | tr '\n' ' ')
    cov=$({ grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' "$log" || true; } | tail -n 1)
    if [ "$rc" -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|==ERROR' "$log"; then
        echo "FAIL $t (exit $rc after $((SECONDS - start))s); log: $log"
        grep -E -A 30 'ERROR: |runtime error:|Test unit written' "$log" | head -n 60 || tail -n 40 "$log"
        failed+=("$t")
    else
        echo "ok   $t ($((SECONDS - start))s; $cov; $stats)"
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzzing failed: ${failed[*]} (kept $build)"
    exit 1
fi
if [ "$own_build" = 1 ] && [ "${FUZZ_KEEP:-0}" != 1 ]; then
    rm -rf -- "$build"
fi
echo "fuzzing passed: ${targets[*]}"
