#!/bin/sh
# test_train_curvature.sh -- the per-step log columns of `corridor train` that cost nothing or
# are probes, on a small generated IDX data set (256 training and 64 test images of 8x8
# pixels, 4 classes; as tests/test_train_resume.sh):
#   1. logging does not change the run: cnn-small (batch norm) with heavy-ball momentum,
#      --deterministic --threads 1, 40 steps, plain (A) and with --log-sharpness 4
#      --log-hg 3 --train-acc (B): the same params_crc32, state_crc32, final losses and test
#      accuracy, and the same loss, lr and grad_norm in every log row;
#   2. the sharpness column: finite and positive exactly on the steps that are multiples of
#      4, nan elsewhere and on test rows; hg_norm likewise on multiples of 3;
#   3. the accuracy column without --train-acc (the step's own forward pass, free): on every
#      train row a multiple of 1/16 in [0, 1] (batch 16), and late in the run above chance;
#   4. softmax regression (mlp:64-4, whose Hessian is positive semidefinite, so
#      |H g| <= lambda_max |g|): on the rows where both are logged, hg_norm <= sharpness *
#      grad_norm * (1 + 1e-2) (Lanczos is converged to 1e-4 relative there);
#   5. bad values of the new options exit 2.
# Environment: top_builddir (exported by tests/Makefile.am); CORRIDOR overrides the program.
# Needs python3 to write the data files (skipped, status 77, without it).
set -u

: "${top_builddir:=..}"
CORRIDOR=${CORRIDOR:-$top_builddir/experiments/corridor}
if [ ! -x "$CORRIDOR" ]; then
    echo "test_train_curvature: $CORRIDOR not built" >&2
    exit 99
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "test_train_curvature: python3 not found, skipped" >&2
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_train_curvature.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0
fail() {
    echo "FAIL: $*"
    failed=$((failed + 1))
}

# The data: 4 classes of 8x8 images (tests/make_quadrant_idx.py).
python3 "${top_srcdir:-.}/tests/make_quadrant_idx.py" "$tmp/data" || exit 99

value() {
    awk -F'\t' -v n="$1" '$1 == n { print $2 }' "$2"
}

common="--model cnn-small --data idx:$tmp/data --method heavyball --lr 0.05 --beta 0.9 \
--batch 16 --steps 40 --seed 3 --deterministic --threads 1"

# 1. with and without the probes
# shellcheck disable=SC2086
"$CORRIDOR" train $common --log "$tmp/A.tsv" >"$tmp/A.out" 2>"$tmp/A.err" \
    || fail "run A exited $?: $(cat "$tmp/A.err")"
# shellcheck disable=SC2086
"$CORRIDOR" train $common --log "$tmp/B.tsv" --log-sharpness 4 --sharpness-iters 12 \
    --log-hg 3 --train-acc >"$tmp/B.out" 2>"$tmp/B.err" \
    || fail "run B exited $?: $(cat "$tmp/B.err")"
for k in steps params_crc32 state_crc32 train_loss test_loss test_accuracy; do
    a=$(value $k "$tmp/A.out")
    b=$(value $k "$tmp/B.out")
    [ -n "$a" ] && [ "$a" = "$b" ] || fail "$k: plain '$a', with --log-sharpness/--log-hg/--train-acc '$b'"
done
grep -v '^#' "$tmp/A.tsv" | cut -f1-4,6,7 >"$tmp/A.cols"
grep -v '^#' "$tmp/B.tsv" | cut -f1-4,6,7 >"$tmp/B.cols"
cmp -s "$tmp/A.cols" "$tmp/B.cols" || fail "kind/step/epoch/loss/lr/grad_norm columns differ"
[ "$(grep -c '^train' "$tmp/A.tsv")" = 40 ] || fail "run A: not 40 train rows"
grep -q "^kind	step	epoch	loss	accuracy	lr	grad_norm	hg_norm	sharpness$" "$tmp/A.tsv" \
    || fail "log header"
echo "probes leave the run unchanged: params_crc32 $(value params_crc32 "$tmp/A.out") both"

# 2. where the probes are logged; 3. the free accuracy
awk -F'\t' '
    $1 == "kind" { next }
    $1 == "train" {
        s = $9; h = $8
        fin_s = (s != "nan" && s + 0 > 0); fin_h = (h != "nan" && h + 0 > 0)
        if (($2 % 4 == 0) != fin_s) { print "step " $2 ": sharpness " s; bad = 1 }
        if (($2 % 3 == 0) != fin_h) { print "step " $2 ": hg_norm " h; bad = 1 }
        if ($5 == "nan" || $5 < 0 || $5 > 1) { print "step " $2 ": --train-acc accuracy " $5; bad = 1 }
    }
    $1 == "test" && ($8 != "nan" || $9 != "nan") { print "test row with probes"; bad = 1 }
    END { exit bad }' "$tmp/B.tsv" >"$tmp/B.chk" || fail "run B's probe columns: $(head -3 "$tmp/B.chk")"
awk -F'\t' '
    $1 == "train" {
        a = $5; k = a * 16
        if (a == "nan" || a < 0 || a > 1 || k != int(k + 0.5)) { print "step " $2 ": accuracy " a; bad = 1 }
        if ($2 > 32) { late += a; nlate++ }
    }
    END {
        if (nlate == 0 || late / nlate <= 0.5) { print "late mean accuracy " (nlate ? late / nlate : "none"); bad = 1 }
        else printf "free train accuracy, mean of steps 33-40: %.3f\n", late / nlate
        exit bad
    }' "$tmp/A.tsv" >"$tmp/A.chk" || fail "run A's accuracy column: $(head -3 "$tmp/A.chk")"
cat "$tmp/A.chk"

# 4. softmax regression: |H g| <= lambda_max |g|
"$CORRIDOR" train --model mlp:64-4 --data "idx:$tmp/data" --method gd --lr 0.2 --batch 16 \
    --steps 12 --seed 1 --weight-decay 1e-3 --log-sharpness 2 --sharpness-iters 30 \
    --sharpness-tol 1e-4 --log-hg 2 --no-eval --log "$tmp/C.tsv" >"$tmp/C.out" 2>"$tmp/C.err" \
    || fail "run C exited $?: $(cat "$tmp/C.err")"
awk -F'\t' '
    $1 == "train" && $2 % 2 == 0 {
        n++
        r = $8 / ($9 * $7)
        if (!(r <= 1.01) || !(r > 0)) { print "step " $2 ": hg_norm " $8 " > sharpness " $9 " * grad_norm " $7; bad = 1 }
        if (r > worst) worst = r
    }
    END {
        if (n != 6) { print n " rows with both"; bad = 1 }
        else printf "softmax regression: max hg_norm / (sharpness grad_norm) = %.4f over %d rows\n", worst, n
        exit bad
    }' "$tmp/C.tsv" >"$tmp/C.chk" || fail "hg_norm against sharpness: $(head -3 "$tmp/C.chk")"
cat "$tmp/C.chk"

# 5. bad values
for bad in "--log-sharpness 0" "--sharpness-iters 0" "--sharpness-tol 0" "--sharpness-tol x"; do
    # shellcheck disable=SC2086
    "$CORRIDOR" train $common $bad >/dev/null 2>"$tmp/bad.err"
    st=$?
    [ $st -eq 2 ] || fail "$bad: status $st"
done

if [ $failed -ne 0 ]; then
    echo "test_train_curvature: $failed failure(s)"
    exit 1
fi
echo "test_train_curvature: all passed"
exit 0
