#!/bin/sh
# paper_train.sh -- the training runs behind the analogues of Figures 2-9 of Dherin & Rosca
# (2024), Sec. 4.2 and App. B: the corridor learning rate (CLR, eta = L/|grad L|^2, Polyak with
# L* = 0) against SGD with a sweep of constant learning rates, CLR across batch sizes, CLR capped
# at 10, the CLR value per step, and loss and |H grad L| along a CLR trajectory; 3 seeds each.
#
# Every run is one `corridor train` writing its per-step log (doc/train.md) to
#     OUT/runs/EXP/METHOD[_lrH][_capC]_bB_sS.tsv
# A run whose log exists is not run again (logs are renamed into place only when a run ends,
# so an existing log is a finished run): an interrupted grid continues where it stopped.
# exp_train_summary then turns OUT/runs into the per-figure tables; nothing here computes a
# result.
#
# Experiments (EXP) and the figures that read them:
#   resnet   the ResNet: CLR (with |H grad L| logged) and SGD sweep at batch B  Fig. 2, 4, 7
#            CLR at the other batch sizes                                      Fig. 9
#   capped   the ResNet with CLR capped (the paper's ImageNet setting: cap 10) at every batch
#            size, and SGD sweep at batch B                                     Fig. 3, 4, 8
#   vgg      the VGG: CLR and SGD sweep at batch B                              Fig. 6
#   third    a third architecture: CLR and SGD sweep at batch B                 Fig. 5
#
# Scales:
#   quick  Fashion-MNIST, 64 training images, 1-2 epochs: checks the pipeline (make check).
#   small  Fashion-MNIST (the real data set, Debian's dataset-fashion-mnist), a class-balanced
#          subset of 256 training and 256 test images, resnet-small / vgg-small / an MLP:
#          `make reproduce` (about 3 minutes on 2 cores; the timing is in doc/paper_figures.md).
#   paper  the paper's setting: CIFAR-10 (--cifar10 DIR, the binary version) with
#          resnet18-cifar (Fig. 2, 7, 9), vgg16 (Fig. 6), resnet50 (Fig. 5), and ImageNet
#          (--imagenet DIR) with resnet50 capped at 10 (Fig. 3, 4, 8). Without --imagenet the
#          capped experiment runs resnet18-cifar on CIFAR-10 instead (the tables' titles name
#          the model and data of the runs); without --cifar10 the CIFAR experiments are skipped.
#
# Usage: paper_train.sh [--scale quick|small|paper] [--out DIR] [--jobs J] [--threads T]
#                       [--cifar10 DIR] [--imagenet DIR] [--fashion DIR]
#                       [--corridor PROG] [--subset PROG] [--list]
# Paths must not contain blanks or quotes (the runs go through xargs).
# Exit status: 0 when every run finished (a diverged run, exit 3 of corridor train, is a
# finished run: its log ends at the divergence), 1 when a run failed, 2 for bad options.
set -u

scale=small
out=
jobs=2
threads=
cifar=
imagenet=
fashion=/usr/share/datasets/fashion-mnist
here=$(dirname "$0")
corridor=
subset=
list=0

die() {
    echo "paper_train.sh: $*" >&2
    exit 2
}

# ---- one run (called back through xargs) ------------------------------------------------------
if [ "${1:-}" = "--run-one" ]; then
    # --run-one CORRIDOR LOG REFERENCE ARGS...: runs corridor train ARGS --log LOG
    prog=$2
    log=$3
    ref=$4
    shift 4
    [ -f "$log" ] && exit 0
    mkdir -p "$(dirname "$log")" || exit 1
    if [ "$ref" = 1 ]; then
        COR_NN_REFERENCE=1
        export COR_NN_REFERENCE
    fi
    "$prog" train "$@" --log "$log" >"${log%.tsv}.out" 2>"${log%.tsv}.err"
    st=$?
    if [ $st -ne 0 ] && [ $st -ne 3 ]; then
        echo "paper_train.sh: run failed (exit $st): $log; see ${log%.tsv}.err" >&2
        exit 1
    fi
    exit 0
fi

while [ $# -gt 0 ]; do
    case $1 in
    --scale) scale=${2:?}; shift ;;
    --quick) scale=quick ;;
    --out) out=${2:?}; shift ;;
    --jobs) jobs=${2:?}; shift ;;
    --threads) threads=${2:?}; shift ;;
    --cifar10) cifar=${2:?}; shift ;;
    --imagenet) imagenet=${2:?}; shift ;;
    --fashion) fashion=${2:?}; shift ;;
    --corridor) corridor=${2:?}; shift ;;
    --subset) subset=${2:?}; shift ;;
    --list) list=1 ;;
    -h | --help)
        sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
    shift
done
case $scale in quick | small | paper) ;; *) die "--scale: expected quick, small or paper" ;; esac
case $jobs in '' | *[!0-9]*) die "--jobs: expected a positive integer" ;; esac
[ -n "$out" ] || out=results/train/$scale
[ -n "$corridor" ] || corridor=$here/corridor
[ -n "$subset" ] || subset=$here/exp_train_subset

# ---- the grids --------------------------------------------------------------------------------
# One line per run: EXP MODEL DATA BATCH METHOD LR CAP EPOCHS SEED EXTRA (- for none; EXTRA is
# one word of extra options, commas for spaces).
seeds="0 1 2"
runs=$(mktemp "${TMPDIR:-/tmp}/paper_train.XXXXXX") || exit 1
sorted=$(mktemp "${TMPDIR:-/tmp}/paper_train.XXXXXX") || exit 1
trap 'rm -f "$runs" "$sorted"' EXIT

# grid EXP MODEL DATA "BATCHES" "LRS" EPOCHS CAP EXTRA_CLR EXTRA_ALL
#   CLR (capped at CAP unless -) at every batch size of BATCHES, SGD at each rate of LRS at
#   the first batch size of BATCHES (the main one); EXTRA_CLR only for CLR at the main one.
#   Order of the runs: seed 0 of everything first, then seed 1, then seed 2; within a seed the
#   main batch size of every experiment (in the order of the grid calls) before the others.
#   A grid stopped early thus has every figure, with fewer seeds.
grid() {
    for s in $seeds; do
        main=
        for b in $4; do
            if [ -z "$main" ]; then
                main=$b
                echo "$s 0 $1 $2 $3 $b clr - $7 $6 $s $8,$9" >>"$runs"
            else
                echo "$s 1 $1 $2 $3 $b clr - $7 $6 $s $9" >>"$runs"
            fi
        done
        for h in $5; do
            echo "$s 0 $1 $2 $3 $main sgd $h - $6 $s $9" >>"$runs"
        done
    done
}

# The sizes (see doc/paper_figures.md for the measured timing they come from):
case $scale in
quick)
    # 64 images, batch 16 (4 steps per epoch), 1-2 epochs: only the pipeline is checked
    data=$out/data
    grid resnet resnet-small "idx:$data" "16 32" "0.1" 2 - --log-hg,1 -
    grid capped resnet-small "idx:$data" "16" "" 2 10 - --no-eval
    grid vgg vgg-small "idx:$data" "16" "0.1" 1 - - -
    grid third mlp:784-256-256-10 "idx:$data" "16" "0.1" 1 - - -
    ntrain=64
    ntest=32
    ;;
small)
    # 256 training images (8 steps per epoch at the main batch size 32, as the paper's 4096
    # of 50 000 CIFAR-10 images are 12), 30 epochs. The cap of the capped experiment is 1, not
    # the paper's 10: the CLR value of these runs stays below 10 (about 3 at the end), so a cap
    # of 10 would give the uncapped runs again bit for bit; 1 binds in the late phase as 10
    # does on ImageNet. The capped experiment's SGD comparison (Fig. 8) is the resnet
    # experiment's SGD runs: the same model, data, batch size and seeds.
    data=$out/data
    lrs="0.01 0.03 0.1 0.3 1"
    grid third mlp:784-256-256-10 "idx:$data" "32" "$lrs" 30 - - -
    grid resnet resnet-small "idx:$data" "32 16 64 128" "$lrs" 30 - --log-hg,6 -
    grid vgg vgg-small "idx:$data" "32" "$lrs" 30 - - -
    grid capped resnet-small "idx:$data" "32 16 64 128" "" 30 1 - -
    ntrain=256
    ntest=256
    ;;
paper)
    lrs="0.01 0.03 0.1 0.3 1 3"
    if [ -n "$cifar" ]; then
        grid resnet resnet18-cifar "cifar10:$cifar" "4096 128 512 1024 2048" "$lrs" 200 - \
            --log-hg,50 -
        grid vgg vgg16 "cifar10:$cifar" "4096" "$lrs" 200 - - -
        grid third resnet50 "cifar10:$cifar" "4096" "$lrs" 200 - - -
    fi
    if [ -n "$imagenet" ]; then
        grid capped resnet50 "imagenet:$imagenet" "1024 256 512 2048 4096" "$lrs" 90 10 - -
    elif [ -n "$cifar" ]; then
        grid capped resnet18-cifar "cifar10:$cifar" "4096 128 512 1024 2048" "" 200 10 - -
    fi
    [ -n "$cifar$imagenet" ] || die "--scale paper needs --cifar10 DIR and/or --imagenet DIR"
    ;;
esac

sort -s -n -k1,1 -k2,2 "$runs" | cut -d' ' -f3- >"$sorted"

# Models to run on lib/nn's reference kernels (COR_NN_REFERENCE=1) instead of oneDNN: none.
# resnet-small used to be one (oneDNN 2.6 ran its 8..64-channel convolutions on "ref:any");
# lib/nn/nn_dnnl.c now picks layouts with optimised kernels, and oneDNN is the faster backend
# for every model (measured in doc/paper_figures.md); the results agree up to rounding.
reference_models=${PAPER_REFERENCE_MODELS-}
[ -n "$threads" ] || { [ "$scale" = paper ] && threads=0 || threads=1; }

# ---- data -----------------------------------------------------------------------------------
if [ "$scale" != paper ] && [ $list -eq 0 ]; then
    if [ ! -f "$data/train-labels-idx1-ubyte" ]; then
        mkdir -p "$data" || exit 1
        "$subset" --data "$fashion" --train "$ntrain" --test "$ntest" -o "$data" || exit 1
    fi
fi

# ---- run ------------------------------------------------------------------------------------
cmds=$(mktemp "${TMPDIR:-/tmp}/paper_train.XXXXXX") || exit 1
trap 'rm -f "$runs" "$sorted" "$cmds"' EXIT
while read -r exp model dat batch method lr cap epochs seed extra; do
    tag=$method
    [ "$lr" = - ] || tag=${tag}_lr$lr
    [ "$cap" = - ] || tag=${tag}_cap$cap
    tag=${tag}_b${batch}_s$seed
    set -- --model "$model" --data "$dat" --method "$method" --batch "$batch" \
        --epochs "$epochs" --seed "$seed"
    [ "$lr" = - ] || set -- "$@" --lr "$lr"
    [ "$cap" = - ] || set -- "$@" --lr-max "$cap"
    [ "$threads" = 0 ] || set -- "$@" --threads "$threads"
    ref=0
    for m in $reference_models; do [ "$m" = "$model" ] && ref=1; done
    for w in $(echo "$extra" | tr ',' ' '); do
        [ "$w" = - ] || set -- "$@" "$w"
    done
    echo "$corridor $out/runs/$exp/$tag.tsv $ref $*" >>"$cmds"
done <"$sorted"

total=$(wc -l <"$cmds")
if [ $list -eq 1 ]; then
    cat "$cmds"
    exit 0
fi
echo "paper_train.sh: $total runs ($scale scale) into $out/runs, $jobs at a time" >&2
start=$(date +%s)
xargs -P "$jobs" -L 1 sh "$0" --run-one <"$cmds"
st=$?
echo "paper_train.sh: done in $(($(date +%s) - start)) s" >&2
[ $st -eq 0 ] || exit 1
exit 0
