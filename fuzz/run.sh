#!/bin/sh
# run.sh -- build the parser fuzzer with libFuzzer + ASan + UBSan and run it.
#
#   fuzz/run.sh [SECONDS [extra libFuzzer options...]]
#
# Builds fuzz/out/fuzz_parse from the library sources directly (no autotools: the sources of
# the err, sys, expr, diff and eval modules are read from their local.mk, and a stand-in
# config.h is written to a temporary directory), then runs it for SECONDS (default 60) on a
# working corpus fuzz/out/corpus seeded from fuzz/corpus/. Crashes, leaks and timeouts are
# written to fuzz/out/ as crash-*, leak-*, timeout-*, oom-*; libFuzzer stops at the first one.
# Environment: CC (default clang); FUZZ_CFLAGS (extra compiler flags, e.g.
# -fno-sanitize=nonnull-attribute to step past a known report); FUZZ_KEEP_GOING=1 runs in libFuzzer's fork mode and keeps
# fuzzing past crashes, timeouts and OOMs (each is still saved).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
cc=${CC:-clang}
out="$here/out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

mkdir -p "$out/corpus"
cat > "$tmp/config.h" <<CFG
#define PACKAGE_VERSION "0.1.0-fuzz"
#define COR_CONFIGURE_FLAGS "fuzz/run.sh"
CFG

srcs=""
for m in err sys expr diff eval; do
    for f in $(sed -n 's/^libcorridor_la_SOURCES *+= *//p' "$top/lib/$m/local.mk"); do
        srcs="$srcs $top/lib/$f"
    done
done

incs="-I$tmp -I$top/lib"
for m in err sys expr diff eval; do
    incs="$incs -I$top/lib/$m"
done

flags="-std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined"
flags="$flags -fno-sanitize-recover=undefined ${FUZZ_CFLAGS:-}"
echo "run.sh: building $out/fuzz_parse" >&2
# shellcheck disable=SC2086
$cc $flags $incs -o "$out/fuzz_parse" "$here/fuzz_parse.c" $srcs \
    $(pkg-config --cflags --libs gsl) -lmpfr -lgmp -lm

cp -n "$here"/corpus/* "$out/corpus/" 2>/dev/null || true
cd "$out"
echo "run.sh: fuzzing for $secs s" >&2
keep=""
if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
    keep="-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1"
fi
# shellcheck disable=SC2086
exec ./fuzz_parse -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=1024 \
    -print_final_stats=1 -artifact_prefix="$out/" $keep "$@" "$out/corpus"
