#!/bin/sh
# test_spectral_experiments.sh -- the --quick versions of exp_largestep, exp_natgrad and
# exp_corridorness (lib/spectral's experiments): each must exit 0, which it does only when
# every verdict it computes holds (case (vii) to 20 digits, P12-P15, corridorness), and write
# its tables with a preamble and `# summary` lines whose verdicts are all "holds". Also
# --help (exit 0) and a bad option (exit 2, one line on stderr).
# Environment: top_builddir (exported by tests/Makefile.am).
set -u

: "${top_builddir:=..}"
exp=$top_builddir/experiments
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_spectral.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0

for p in exp_largestep exp_natgrad exp_corridorness; do
    if [ ! -x "$exp/$p" ]; then
        echo "test_spectral_experiments: $exp/$p not built" >&2
        exit 99
    fi
    if ! "$exp/$p" --quick -o "$tmp" >"$tmp/$p.out" 2>"$tmp/$p.err"; then
        echo "FAIL: $p --quick exited with status $?:" >&2
        cat "$tmp/$p.out" "$tmp/$p.err" >&2
        failed=1
    fi
    "$exp/$p" --help >/dev/null 2>&1 || { echo "FAIL: $p --help" >&2; failed=1; }
    "$exp/$p" --no-such-option >/dev/null 2>"$tmp/bad.err"
    st=$?
    if [ "$st" -ne 2 ] || [ "$(wc -l <"$tmp/bad.err")" -ne 1 ]; then
        echo "FAIL: $p with a bad option: status $st (want 2, one line)" >&2
        failed=1
    fi
done

# every table has the standard preamble and at least one summary; no verdict fails
n=0
for f in "$tmp"/*.tsv; do
    [ -f "$f" ] || continue
    grep -q '^# program=' "$f" || { echo "FAIL: $f has no preamble" >&2; failed=1; }
    grep -q "$(printf '^# summary\t')" "$f" && n=$((n + 1))
    if grep "$(printf '^# summary\t')" "$f" | grep -v "$(printf '\tholds$')" >&2; then
        echo "FAIL: a verdict in $f does not hold" >&2
        failed=1
    fi
done
if [ "$n" -lt 8 ]; then
    echo "FAIL: only $n tables with summary lines" >&2
    failed=1
fi
# case (vii): the 2-cycle gradient norms agree with P13's values to >= 20 digits
awk -F'\t' '$1 == "p13" && $8 < 20 { bad = 1; print "FAIL: case (vii) h = " $3 ": " $8 " digits" > "/dev/stderr" } END { exit bad }' \
    "$tmp/largestep_onset.tsv" || failed=1
grep -q "^p13" "$tmp/largestep_onset.tsv" || { echo "FAIL: no case (vii) rows" >&2; failed=1; }
exit $failed
