#!/bin/sh
# test_fmnist_quick.sh -- the pipeline of experiments/exp_fmnist.sh (issue 6's Fashion-MNIST
# table; `make reproduce` runs it in full) in --quick mode on a subset: the first 2048
# training and 512 test images of the real Fashion-MNIST (Debian's dataset-fashion-mnist,
# /usr/share/datasets/fashion-mnist; FMNIST_DIR overrides), or, when it is not installed, a
# generated 28x28 10-class set of the same shape. One epoch of 32 steps (batch 64) for CLR
# and for SGD at two steps, selected on 256 held-out images, then retrained. Asserted: the
# table's shape (header; three selection rows of 28 steps on "val"; two final rows of 32 steps
# on "test"), finite losses and accuracies in [0, 1], the chosen SGD row is the best by
# validation accuracy and is the one retrained, the selection runs never read the test set,
# the summary lines and a verdict consistent with the CLR accuracy, learning happened (CLR
# test accuracy above 0.3, chance is 0.1), and a bad option exits 2. Not asserted: the 90% of the claim (that needs the full run).
# Environment: top_builddir, top_srcdir (exported by tests/Makefile.am); CORRIDOR.
# Needs python3 to write the data subset (skipped, status 77, without it).
set -u

: "${top_builddir:=..}"
: "${top_srcdir:=..}"
CORRIDOR=${CORRIDOR:-$top_builddir/experiments/corridor}
export CORRIDOR
SCRIPT=$top_srcdir/experiments/exp_fmnist.sh
if [ ! -x "$CORRIDOR" ]; then
    echo "test_fmnist_quick: $CORRIDOR not built" >&2
    exit 99
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "test_fmnist_quick: python3 not found, skipped" >&2
    exit 77
fi
src=${FMNIST_DIR:-/usr/share/datasets/fashion-mnist}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_fmnist_quick.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0
fail() {
    echo "FAIL: $*"
    failed=$((failed + 1))
}

python3 - "$src" "$tmp/data" <<'EOF' || exit 99
import gzip, os, struct, sys
src, d = sys.argv[1], sys.argv[2]
os.makedirs(d)
def read(name):
    for n in (name, name + ".gz"):
        p = os.path.join(src, n)
        if os.path.exists(p):
            return (gzip.open if p.endswith(".gz") else open)(p, "rb").read()
    return None
def subset(prefix, n):
    img, lab = read(prefix + "-images-idx3-ubyte"), read(prefix + "-labels-idx1-ubyte")
    if img is None or lab is None:
        return False
    _, count, h, w = struct.unpack(">IIII", img[:16])
    open(os.path.join(d, prefix + "-images-idx3-ubyte"), "wb").write(
        struct.pack(">IIII", 0x803, n, h, w) + img[16:16 + n * h * w])
    open(os.path.join(d, prefix + "-labels-idx1-ubyte"), "wb").write(
        struct.pack(">II", 0x801, n) + lab[8:8 + n])
    return True
if subset("train", 2048) and subset("t10k", 512):
    print("test_fmnist_quick: a subset of the real Fashion-MNIST in " + src)
    sys.exit(0)
# generated: class k is a bright bar at row band k plus LCG noise
state = [2024]
def rnd():
    state[0] = (state[0] * 1103515245 + 12345) % 2**31
    return state[0] >> 16
def gen(prefix, n):
    imgs, labs = bytearray(), bytearray()
    for i in range(n):
        k = rnd() % 10
        for y in range(28):
            for x in range(28):
                imgs.append(min(255, (150 if 2 + 2 * k <= y < 5 + 2 * k else 20) + rnd() % 80))
        labs.append(k)
    open(os.path.join(d, prefix + "-images-idx3-ubyte"), "wb").write(
        struct.pack(">IIII", 0x803, n, 28, 28) + imgs)
    open(os.path.join(d, prefix + "-labels-idx1-ubyte"), "wb").write(
        struct.pack(">II", 0x801, n) + labs)
gen("train", 2048)
gen("t10k", 512)
print("test_fmnist_quick: Fashion-MNIST not found in " + src + "; a generated set")
EOF

sh "$SCRIPT" --quick --data "idx:$tmp/data" --batch 64 -o "$tmp/out" >"$tmp/run.out" 2>"$tmp/run.err"
st=$?
[ $st -eq 0 ] || fail "exp_fmnist.sh --quick exited $st: $(tail -3 "$tmp/run.err")"
tsv=$tmp/out/fmnist_clr_sgd.tsv
if [ ! -f "$tsv" ]; then
    fail "no table $tsv"
else
    grep -q "^phase	method	lr	epochs	steps	train_loss	train_accuracy	eval_set	eval_loss	eval_accuracy	time_s	chosen$" "$tsv" \
        || fail "table header"
    # select rows: 2048 - 256 held out = 1792 images = 28 steps of 64; final rows: 32 steps
    awk -F'\t' '
        /^#/ || $1 == "phase" { next }
        {
            n++
            if ($1 == "select") {
                nsel++
                if ($8 != "val") { print "row " n ": eval_set " $8; bad = 1 }
                if ($5 != 28) { print "row " n ": " $5 " steps, want 28"; bad = 1 }
                if ($2 == "sgd") { if ($10 > best) best = $10; if ($12 == "yes") { nch++; chosen = $10; chlr = $3 } }
                if ($2 == "clr" && $12 == "yes") nchc++
            } else if ($1 == "final") {
                nfin++
                if ($8 != "test") { print "row " n ": eval_set " $8; bad = 1 }
                if ($5 != 32) { print "row " n ": " $5 " steps, want 32"; bad = 1 }
                if ($2 == "clr") clr = $10
                if ($2 == "sgd") { sgd = $10; finlr = $3 }
            } else { print "row " n ": phase " $1; bad = 1 }
            if ($6 == "nan" || !($6 > 0)) { print "row " n ": train_loss " $6; bad = 1 }
            if ($7 == "nan" || $7 < 0 || $7 > 1) { print "row " n ": train_accuracy " $7; bad = 1 }
            if ($9 == "nan" || !($9 > 0)) { print "row " n ": eval_loss " $9; bad = 1 }
            if ($10 == "nan" || $10 < 0 || $10 > 1) { print "row " n ": eval_accuracy " $10; bad = 1 }
            if (!($11 > 0)) { print "row " n ": time_s " $11; bad = 1 }
        }
        END {
            if (nsel != 3 || nfin != 2) { print nsel " select rows, " nfin " final rows"; bad = 1 }
            if (nch != 1 || chosen != best) { print "chosen SGD row: " nch " rows, accuracy " chosen ", best " best; bad = 1 }
            if (nchc != 1) { print nchc " chosen CLR rows"; bad = 1 }
            if (finlr != chlr) { print "final SGD step " finlr " is not the chosen " chlr; bad = 1 }
            if (!(clr > 0.3)) { print "CLR test accuracy " clr " <= 0.3: nothing was learned"; bad = 1 }
            printf "quick: CLR test accuracy %s, chosen SGD %s (validation %s)\n", clr, sgd, chosen
            exit bad
        }' "$tsv" >"$tmp/chk" || fail "table rows: $(head -3 "$tmp/chk")"
    cat "$tmp/chk"
    [ "$(grep -c '^# summary	' "$tsv")" = 2 ] || fail "not two summary lines"
    line=$(grep '^# summary	' "$tsv" | head -1)
    clr=$(awk -F'\t' '$1 == "final" && $2 == "clr" { print $10 }' "$tsv")
    want=$(awk -v a="$clr" 'BEGIN { print (a + 0 >= 0.9) ? "holds" : "does not hold" }')
    verdict=$(printf '%s\n' "$line" | awk -F'\t' '{ print $5 }')
    [ "$verdict" = "$want" ] || fail "verdict '$verdict' for CLR accuracy $clr"
    printf '%s\n' "$line" | grep -q "quick smoke run" || fail "the quick summary does not say so"
    [ -f "$tmp/out/fmnist_logs/final_clr_0.5.tsv" ] || fail "no CLR log"
    grep -q "^val	28	0	" "$tmp/out/fmnist_logs/select_sgd_0.1.tsv" || fail "SGD selection log has no validation row at step 28"
    grep -q "^test	" "$tmp/out/fmnist_logs/select_clr_0.5.tsv" && fail "a selection run read the test set"
    grep -q "^test	32	0	" "$tmp/out/fmnist_logs/final_clr_0.5.tsv" || fail "final CLR log has no test row at step 32"
fi
sh "$SCRIPT" --epochs x -o "$tmp/out" >/dev/null 2>&1
[ $? -eq 2 ] || fail "--epochs x: not status 2"
sh "$SCRIPT" --nonesuch >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown option: not status 2"

if [ $failed -ne 0 ]; then
    echo "test_fmnist_quick: $failed failure(s)"
    exit 1
fi
echo "test_fmnist_quick: all passed"
exit 0
