#!/bin/sh
# test_paper_quick.sh -- the pipeline of the Figure 2-9 analogues (doc/paper_figures.md) on
# the quick grid: experiments/paper_train.sh --quick (24 `corridor train` runs on 64 real
# Fashion-MNIST images, 1-2 epochs, 3 seeds), exp_train_summary, and the gnuplot scripts.
# Checks that the pipeline produces its tables, summaries and figures, not that the paper's
# claims hold at this scale (they need the small or the paper scale):
#   1. every run wrote its log; a second driver invocation runs nothing again (logs unchanged);
#   2. the nine tables exist; every figure table has rows for each curve of its `# curves=`
#      line and `# summary` lines of 5 fields whose verdict is "holds" or "does not hold";
#   3. a value recomputed independently from the logs (awk): the CLR curve's epoch-1 training
#      loss in paper_fig2.tsv is the mean over the seeds of the mean batch loss of epoch 0,
#      and its min and max are the seeds' extremes;
#   4. the verdict logic both ways: with target loss 100 every run reaches it at its first
#      possible step, so "CLR in fewer steps than every SGD rate" does not hold (a tie) and
#      "CLR reaches the target at every batch size" holds; with target 1e-30 none reaches it,
#      so the latter does not hold;
#   5. |H grad L| was logged (finite, positive) at every step of the Fig. 7 runs;
#   6. with gnuplot: the eight figures render as PNG files;
#   7. the paper scale's grid (--list, not run): 108 runs with the paper's models, batch
#      sizes, epochs and cap 10, and a status-2 message without a data set.
# Skipped (77) when Fashion-MNIST is not installed (Debian: dataset-fashion-mnist; or set
# COR_FASHION_MNIST=DIR). Environment: top_builddir, top_srcdir (exported by tests/Makefile.am).
set -u

: "${top_builddir:=..}"
: "${top_srcdir:=..}"
exp=$top_builddir/experiments
driver=$top_srcdir/experiments/paper_train.sh
figs=$top_srcdir/experiments/figures
fashion=${COR_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
for p in corridor exp_train_subset exp_train_summary; do
    if [ ! -x "$exp/$p" ]; then
        echo "test_paper_quick: $exp/$p not built" >&2
        exit 99
    fi
done
if [ ! -r "$fashion/train-labels-idx1-ubyte.gz" ] && [ ! -r "$fashion/train-labels-idx1-ubyte" ]; then
    echo "test_paper_quick: no Fashion-MNIST in $fashion, skipped" >&2
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_paper_quick.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0
fail() {
    echo "FAIL: $*"
    failed=1
}

# 1. the runs
if ! sh "$driver" --quick --out "$tmp/train" --jobs 2 --fashion "$fashion" \
    --corridor "$exp/corridor" --subset "$exp/exp_train_subset"; then
    fail "paper_train.sh --quick failed"
    cat "$tmp"/train/runs/*/*.err 2>/dev/null | head -20
    exit 1
fi
nlogs=$(ls "$tmp"/train/runs/*/*.tsv 2>/dev/null | wc -l)
nruns=$(sh "$driver" --quick --out "$tmp/train" --list | wc -l)
[ "$nlogs" -eq "$nruns" ] && [ "$nruns" -eq 24 ] || fail "$nlogs logs for $nruns runs (expected 24)"
cat "$tmp"/train/runs/*/*.tsv | cksum >"$tmp/before"
sh "$driver" --quick --out "$tmp/train" --jobs 2 --fashion "$fashion" \
    --corridor "$exp/corridor" --subset "$exp/exp_train_subset" 2>/dev/null || fail "second run failed"
cat "$tmp"/train/runs/*/*.tsv | cksum >"$tmp/after"
cmp -s "$tmp/before" "$tmp/after" || fail "a second driver invocation changed the logs"

# 2. the tables
mkdir -p "$tmp/res" "$tmp/t100" "$tmp/t0"
"$exp/exp_train_summary" --runs "$tmp/train/runs" -o "$tmp/res" --scale quick >"$tmp/verdicts" ||
    fail "exp_train_summary failed"
for n in runs fig2 fig3 fig4 fig5 fig6 fig7 fig8 fig9; do
    f=$tmp/res/paper_$n.tsv
    if [ ! -s "$f" ]; then
        fail "no table $f"
        continue
    fi
    [ "$n" = runs ] && continue
    awk -F'\t' -v name="$n" '
        /^# summary\t/ { ns++; if (NF != 5 || ($5 != "holds" && $5 != "does not hold"))
                             { print "bad summary line in " name ": " $0; bad = 1 } next }
        /^# curves=/ { nc = split(substr($0, 10), cv, " ") }
        /^#/ || /^curve\t/ || /^step\t/ { next }
        { rows++; seen[$1] = 1 }
        END {
            if (ns < 1) { print name ": no summary line"; bad = 1 }
            if (rows < 1) { print name ": no rows"; bad = 1 }
            if (name != "fig7") for (i = 1; i <= nc; i++)
                if (!(cv[i] in seen)) { print name ": no rows for curve " cv[i]; bad = 1 }
            exit bad
        }' "$f" || fail "table $n is incomplete"
done
nrows=$(grep -v '^#' "$tmp/res/paper_runs.tsv" | tail -n +2 | wc -l)
[ "$nrows" -eq 24 ] || fail "paper_runs.tsv has $nrows rows, expected 24"
grep -q '^held\|^NOT held' "$tmp/verdicts" || fail "no verdict printed"

# 3. an independent recomputation of one table entry
expect=$(for s in 0 1 2; do
    awk -F'\t' '$1 == "train" && $3 == 0 { s += $4; n++ } END { printf "%.17g\n", s / n }' \
        "$tmp/train/runs/resnet/clr_b16_s$s.tsv"
done | awk '{ s += $1; if (NR == 1 || $1 < lo) lo = $1; if (NR == 1 || $1 > hi) hi = $1 }
            END { printf "%.12g %.12g %.12g\n", s / NR, lo, hi }')
got=$(awk -F'\t' '$1 == "clr" && $2 == 1 { printf "%.12g %.12g %.12g\n", $4, $5, $6 }' \
    "$tmp/res/paper_fig2.tsv")
[ -n "$expect" ] && [ "$expect" = "$got" ] ||
    fail "fig2 clr epoch 1: table has '$got', the logs give '$expect'"

# 4. the verdicts respond to the measurements
"$exp/exp_train_summary" --runs "$tmp/train/runs" -o "$tmp/t100" --target 100 >/dev/null ||
    fail "exp_train_summary --target 100 failed"
"$exp/exp_train_summary" --runs "$tmp/train/runs" -o "$tmp/t0" --target 1e-30 >/dev/null ||
    fail "exp_train_summary --target 1e-30 failed"
verdict() { # FILE PATTERN: the verdict of the summary line matching PATTERN
    awk -F'\t' -v p="$2" '/^# summary\t/ && index($2, p) { print $5; exit }' "$1"
}
v=$(verdict "$tmp/t100/paper_fig2.tsv" "in fewer steps")
[ "$v" = "does not hold" ] || fail "target 100: fig2 speed claim is '$v', expected a tie"
v=$(verdict "$tmp/t100/paper_fig9.tsv" "at every batch size")
[ "$v" = "holds" ] || fail "target 100: fig9 claim is '$v', expected holds"
v=$(verdict "$tmp/t0/paper_fig9.tsv" "at every batch size")
[ "$v" = "does not hold" ] || fail "target 1e-30: fig9 claim is '$v', expected does not hold"

# 5. |H grad L| at every step of the CLR runs of Fig. 7 (--log-hg 1)
for s in 0 1 2; do
    awk -F'\t' '$1 == "train" { n++; if (!($8 > 0) || $8 == "inf" || $8 == "nan") bad++ }
                END { exit !(n == 8 && bad == 0) }' "$tmp/train/runs/resnet/clr_b16_s$s.tsv" ||
        fail "resnet clr seed $s: |H grad L| not finite and positive at all 8 steps"
done

# 6. the figures
if command -v gnuplot >/dev/null 2>&1; then
    for f in 2:sweep 3:batch 4:lr 5:sweep 6:sweep 7:hg 8:sweep 9:batch; do
        n=${f%%:*}
        gp=${f#*:}
        png=$tmp/paper_fig$n.png
        gnuplot -e "in='$tmp/res/paper_fig$n.tsv'; out='$png'; dir='$figs/'" \
            "$figs/fig_paper_$gp.gp" 2>"$tmp/gp.err" || { fail "gnuplot fig$n"; cat "$tmp/gp.err"; }
        # a PNG file starts with \211PNG
        [ "$(head -c 4 "$png" 2>/dev/null | tail -c 3)" = PNG ] || fail "fig$n: no PNG written"
    done
else
    echo "test_paper_quick: gnuplot not found, figures not checked"
fi

# 7. the paper scale's grid (the runs `make reproduce-paper` makes; they need CIFAR-10 or
#    ImageNet and are not run here): the paper's models, batch sizes, rates, epochs and cap
"$driver" --scale paper --cifar10 /data/cifar --imagenet /data/imagenet --list >"$tmp/paper.list" 2>&1 ||
    fail "paper --list exited $?"
awk '{ for (i = 1; i < NF; i++) o[$i] = $(i + 1); key = o["--model"] " " o["--data"] " " o["--method"] " " o["--epochs"]
       n[key]++; b[o["--batch"]]++; if (o["--method"] == "sgd") lr[o["--lr"]]++; if (o["--lr-max"] != "") cap[o["--lr-max"]]++
       delete o }
     END { printf "%d runs;", NR; for (k in n) printf " [%s]=%d", k, n[k]; printf "; batches"; for (k in b) printf " %s", k
           printf "; rates"; for (k in lr) printf " %s", k; printf "; caps"; for (k in cap) printf " %s", k; print "" }' \
    "$tmp/paper.list" >"$tmp/paper.sum"
for want in "108 runs;" "[resnet18-cifar cifar10:/data/cifar clr 200]=15" "[resnet18-cifar cifar10:/data/cifar sgd 200]=18" \
    "[vgg16 cifar10:/data/cifar clr 200]=3" "[resnet50 cifar10:/data/cifar sgd 200]=18" \
    "[resnet50 imagenet:/data/imagenet clr 90]=15" "[resnet50 imagenet:/data/imagenet sgd 90]=18" "caps 10"; do
    grep -qF -- "$want" "$tmp/paper.sum" || fail "paper grid: no '$want' in: $(cat "$tmp/paper.sum")"
done
for bs in 128 256 512 1024 2048 4096; do
    grep -q "batches.* $bs\( \|;\)" "$tmp/paper.sum" || fail "paper grid: no batch size $bs"
done
"$driver" --scale paper --list >/dev/null 2>"$tmp/paper.err"
[ $? -eq 2 ] && grep -q "needs --cifar10" "$tmp/paper.err" || fail "paper scale without data: not a status-2 message"

[ $failed -eq 0 ] && echo "test_paper_quick: ok ($nruns runs)"
exit $failed
