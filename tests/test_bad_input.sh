#!/bin/sh
# test_bad_input.sh -- every row of bad_input.tsv is malformed input for `corridor`: check that
# it exits with the expected status (2 for bad input), prints nothing on stdout, and prints
# exactly one line on stderr, "corridor: ...", matching the row's regex (which names the
# problem, e.g. the column of a parse error).
# Environment: top_srcdir and top_builddir (exported by tests/Makefile.am); CORRIDOR overrides
# the program to run.
set -u

: "${top_srcdir:=..}"
: "${top_builddir:=..}"
CORRIDOR=${CORRIDOR:-$top_builddir/experiments/corridor}
DATA=$top_srcdir/tests/bad_input.tsv

if [ ! -x "$CORRIDOR" ]; then
    echo "test_bad_input: $CORRIDOR not built" >&2
    exit 99
fi
if [ ! -r "$DATA" ]; then
    echo "test_bad_input: cannot read $DATA" >&2
    exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_bad_input.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

tab=$(printf '\t')
cases=0
failed=0
while IFS="$tab" read -r args want regex; do
    case $args in
        '' | '#'* | args) continue ;;
    esac
    cases=$((cases + 1))
    eval "set -- $args"
    "$CORRIDOR" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    nlines=$(wc -l <"$tmp/err" | tr -d ' ')
    problem=
    if [ "$rc" != "$want" ]; then
        problem="exit status $rc, expected $want"
    elif [ -s "$tmp/out" ]; then
        problem="wrote to stdout: $(head -c 200 "$tmp/out")"
    elif [ "$nlines" != 1 ] || [ "$(wc -c <"$tmp/err" | tr -d ' ')" -lt 12 ]; then
        problem="$nlines lines on stderr, expected 1"
    elif ! grep -q '^corridor: ' "$tmp/err"; then
        problem="stderr line does not start with 'corridor: '"
    elif ! grep -E -q -e "$regex" "$tmp/err"; then
        problem="stderr does not match /$regex/"
    fi
    if [ -n "$problem" ]; then
        failed=$((failed + 1))
        echo "FAIL: corridor $args"
        echo "      $problem"
        sed 's/^/      stderr: /' "$tmp/err"
    else
        echo "ok: corridor $args -> $(cat "$tmp/err")"
    fi
done <"$DATA"

echo "test_bad_input: $cases cases, $failed failed"
if [ "$cases" -lt 30 ]; then
    echo "test_bad_input: expected at least 30 cases" >&2
    exit 99
fi
[ "$failed" = 0 ]
