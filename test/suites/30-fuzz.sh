#!/usr/bin/env bash
#
# test/suites/30-fuzz.sh -- a short fuzzing run of the response parsing and
# row extraction code (fdw/jsonpage.c): every libFuzzer target of test/fuzz
# is built with AddressSanitizer and UndefinedBehaviorSanitizer, replays its
# seed corpus, then mutates for a few seconds.  Any crash, leak, timeout or
# sanitizer report fails the suite.
#
#   RF_FUZZ_SECONDS=N   seconds per target (default 4: ~25 s for all six)
#
# The long run: FUZZ_SECONDS=600 bash test/fuzz/run.sh (see test/fuzz/README.md).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cc="${CC:-clang}"
case "$cc" in cc | gcc | */gcc) cc=clang ;; esac

can_fuzz() {
    printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }\n' |
        "$cc" -fsanitize=fuzzer,address,undefined -x c - -o /dev/null >/dev/null 2>&1
}

# Like the build dependencies, a missing clang is installed from Debian.
if ! can_fuzz && [ "$cc" = clang ] && [ "$(id -u)" -eq 0 ]; then
    echo "# installing clang and its libFuzzer runtime"
    DEBIAN_FRONTEND=noninteractive apt-get install -y clang libclang-rt-14-dev >/dev/null 2>&1 ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y clang >/dev/null 2>&1 || true
fi
if ! can_fuzz; then
    echo "not ok - $cc cannot build libFuzzer targets (install clang)"
    exit 1
fi

if FUZZ_SECONDS="${RF_FUZZ_SECONDS:-4}" CC="$cc" bash "$repo/test/fuzz/run.sh"; then
    echo "ok - fuzz targets: no crash, leak or sanitizer report"
else
    echo "not ok - fuzz targets"
    exit 1
fi
