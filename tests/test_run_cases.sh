#!/bin/sh
# test_run_cases.sh -- the public reference cases (ii), (iii), (iv), (v) and (viii) of
# PREDICTIONS.md reproduced through the program `corridor` (run and flow), plus golden-shape
# checks of `corridor run` (DESIGN.md, the command-line contract).
#
# Part 1: for every row of tests/run_cases.tsv, runs `corridor ARGS` (each distinct command
# once), picks the number in row k (or the last row) and the named column, and compares it
# with the reference value by tests/run_cases_cmp (MPFR; digits / working precision / absolute
# bound, see that file). Rows that need `--compare igr` are PENDING (not failed) while corridor
# run answers "--compare: only 'flow' is available"; every other failure of corridor fails.
# Part 2 (shape): the header columns `k t loss grad_norm hg_norm lr theta_1 .. theta_n
# [dist_flow]`, the reported steps with --every (the last row always step N), and a diverging
# run (GD with h = 0.5 on 0.5(x^2 + 10 y^2) from (1,1): y_k = (-4)^k, so |theta| first exceeds
# the default bound 1e100 at k = 167 = floor(100 / log10 4) + 1): exit status 3, rows 0..167
# contiguous, one stderr line naming the divergence.
# Environment: top_srcdir and top_builddir (exported by tests/Makefile.am); CORRIDOR and
# RUN_CASES_CMP override the programs.
set -u
set -f

: "${top_srcdir:=..}"
: "${top_builddir:=..}"
CORRIDOR=${CORRIDOR:-$top_builddir/experiments/corridor}
CMP=${RUN_CASES_CMP:-$top_builddir/tests/run_cases_cmp}
TSV=$top_srcdir/tests/run_cases.tsv
for p in "$CORRIDOR" "$CMP"; do
    if [ ! -x "$p" ]; then
        echo "test_run_cases: $p not built" >&2
        exit 99
    fi
done
[ -r "$TSV" ] || { echo "test_run_cases: cannot read $TSV" >&2; exit 99; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_run_cases.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0
passed=0
pending=0
TAB=$(printf '\t')

fail() {
    echo "FAIL: $*"
    failed=$((failed + 1))
}

# field K COL FILE: the value in the data row whose first field is K (or the last row when K is
# `last`) and the column named COL; empty when there is none.
field() {
    awk -F'\t' -v k="$1" -v col="$2" '
        /^#/ { next }
        !hdr { for (i = 1; i <= NF; i++) if ($i == col) c = i; hdr = 1; next }
        { last = $0; if (k != "last" && $1 == k && c) { print $c; found = 1; exit } }
        END { if (!found && k == "last" && c && last != "") { split(last, a, "\t"); print a[c] } }
    ' "$3"
}

# ---- part 1: reference values --------------------------------------------------------------
: >"$tmp/cmds"
ncmd=0
while IFS="$TAB" read -r id k col mode arg ref args; do
    case $id in
        '#'* | '' | id) continue ;;
    esac
    idx=$(awk -F'\t' -v a="$args" '$2 == a { print $1; exit }' "$tmp/cmds")
    if [ -z "$idx" ]; then
        ncmd=$((ncmd + 1))
        idx=$ncmd
        # shellcheck disable=SC2086 # words of args are split on purpose; globbing is off
        "$CORRIDOR" $args >"$tmp/$idx.out" 2>"$tmp/$idx.err" </dev/null
        echo $? >"$tmp/$idx.rc"
        printf '%s\t%s\n' "$idx" "$args" >>"$tmp/cmds"
    fi
    rc=$(cat "$tmp/$idx.rc")
    if [ "$rc" != 0 ]; then
        if [ "$rc" = 2 ] && grep -q "only 'flow' is available" "$tmp/$idx.err"; then
            echo "PENDING: $id: corridor $args: $(cat "$tmp/$idx.err")"
            pending=$((pending + 1))
        else
            fail "$id: corridor $args: exit status $rc: $(head -1 "$tmp/$idx.err")"
        fi
        continue
    fi
    prec=$(printf '%s\n' "$args" | sed -n 's/.*--prec \([0-9][0-9]*\).*/\1/p')
    [ -n "$prec" ] || prec=256
    val=$(field "$k" "$col" "$tmp/$idx.out")
    if [ -z "$val" ]; then
        fail "$id: no row $k / column $col in the output of corridor $args"
        continue
    fi
    if msg=$("$CMP" "$mode" "$arg" "$prec" "$val" "$ref"); then
        echo "ok: $id: $msg"
        passed=$((passed + 1))
    else
        fail "$id: $msg"
        echo "      corridor $args"
        echo "      measured  $val"
        echo "      reference $ref"
    fi
done <"$TSV"
[ "$passed" -ge 80 ] || fail "only $passed reference rows checked (table truncated?)"

# ---- part 2: shapes ------------------------------------------------------------------------
ROS='0.5*(1-x)^2+5*(y-x^2)^2'
shape() {
    # shape NAME WANT_RC ARGS...: runs corridor, output in $tmp/NAME.{out,err}
    name=$1
    want=$2
    shift 2
    "$CORRIDOR" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
    rc=$?
    [ "$rc" = "$want" ] || fail "$name: exit status $rc, expected $want: corridor $*"
}
header() { grep -v '^#' "$1" | head -1; }
kcol() { grep -v '^#' "$1" | tail -n +2 | cut -f1 | tr '\n' ' ' | sed 's/ $//'; }

shape every 0 run --loss "$ROS" --vars x,y --theta0 -1.2,1 --method gd --lr 0.01 --steps 20 \
    --every 7 --compare flow
want="k${TAB}t${TAB}loss${TAB}grad_norm${TAB}hg_norm${TAB}lr${TAB}theta_1${TAB}theta_2${TAB}dist_flow"
[ "$(header "$tmp/every.out")" = "$want" ] || fail "every: header '$(header "$tmp/every.out")'"
[ "$(kcol "$tmp/every.out")" = "0 7 14 20" ] || fail "every: steps '$(kcol "$tmp/every.out")'"
bad=$(grep -v '^#' "$tmp/every.out" | awk -F'\t' 'NF != 9' | wc -l | tr -d ' ')
[ "$bad" = 0 ] || fail "every: $bad lines (header included) do not have 9 fields"
"$CMP" digits 70 256 "$(field last t "$tmp/every.out")" 0.2 >/dev/null \
    || fail "every: t of the last row is not 20 h = 0.2"
[ -s "$tmp/every.err" ] && fail "every: unexpected stderr: $(cat "$tmp/every.err")"

shape nocmp 0 run --loss 'sqrt(x^2+y^2+z^2)' --vars x,y,z --theta0 3,-1,2 --method rk4 \
    --lr 0.1 --steps 5
want="k${TAB}t${TAB}loss${TAB}grad_norm${TAB}hg_norm${TAB}lr${TAB}theta_1${TAB}theta_2${TAB}theta_3"
[ "$(header "$tmp/nocmp.out")" = "$want" ] || fail "nocmp: header '$(header "$tmp/nocmp.out")'"
[ "$(kcol "$tmp/nocmp.out")" = "0 1 2 3 4 5" ] || fail "nocmp: steps '$(kcol "$tmp/nocmp.out")'"

shape clrlast 0 run --loss 'sqrt(x^2+y^2+z^2)' --vars x,y,z --theta0 3,-1,2 --method clr \
    --steps 3 --every 2
[ "$(kcol "$tmp/clrlast.out")" = "0 2 3" ] || fail "clrlast: steps '$(kcol "$tmp/clrlast.out")'"

QUAD='0.5*(x^2+10*y^2)'
shape diverge 3 run --loss "$QUAD" --vars x,y --theta0 1,1 --method gd --lr 0.5 --steps 1000 \
    --digits 20
ks=$(kcol "$tmp/diverge.out")
want=$(awk 'BEGIN { s = "0"; for (k = 1; k <= 167; k++) s = s " " k; print s }')
[ "$ks" = "$want" ] || fail "diverge: rows are not 0..167: '$(echo "$ks" | cut -c1-60)...'"
[ "$(wc -l <"$tmp/diverge.err" | tr -d ' ')" = 1 ] && grep -q diverg "$tmp/diverge.err" \
    || fail "diverge: expected one stderr line about the divergence: $(cat "$tmp/diverge.err")"
y167=$(field 167 theta_2 "$tmp/diverge.out")
y166=$(field 166 theta_2 "$tmp/diverge.out")
"$CMP" digits 15 256 "$y167" "-3.49960115965281907899600356339e100" >/dev/null \
    || fail "diverge: theta_2 at k = 167 is '$y167', expected (-4)^167"
"$CMP" digits 15 256 "$y166" "8.74900289913204769749000890847e99" >/dev/null \
    || fail "diverge: theta_2 at k = 166 is '$y166', expected 4^166"

shape divevery 3 run --loss "$QUAD" --vars x,y --theta0 1,1 --method gd --lr 0.5 --steps 1000 \
    --every 50
[ "$(kcol "$tmp/divevery.out")" = "0 50 100 150 167" ] \
    || fail "divevery: steps '$(kcol "$tmp/divevery.out")' (want 0 50 100 150 167)"

echo "test_run_cases: $passed reference values ok, $pending pending, $failed failures"
[ "$failed" = 0 ]
