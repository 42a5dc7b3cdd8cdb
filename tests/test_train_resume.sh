#!/bin/sh
# test_train_resume.sh -- `corridor train` on a small generated IDX data set (256 training and
# 64 test images of 8x8 pixels, 4 classes) with cnn-small (batch norm: the checkpoint must
# carry its running statistics) and heavy-ball momentum (the checkpoint must carry the
# velocity):
#   1. run A: 48 steps uninterrupted, --deterministic --threads 1, checkpoints every 5 steps;
#   2. run B: the same, killed with SIGKILL mid-run (after its checkpoint passed step 10 and
#      before the end), then resumed with --resume;
#   3. B's final parameters equal A's bit for bit: the summaries' params_crc32 and state_crc32,
#      the final checkpoint files byte for byte, and the log rows (the per-step losses);
#   4. a resume option that contradicts the checkpoint exits 2; a corrupt checkpoint exits 1
#      naming the section and byte offset; a huge step size diverges: exit 3, a message, a
#      final checkpoint.
# Environment: top_builddir (exported by tests/Makefile.am); CORRIDOR overrides the program.
# Needs python3 to write the data files (skipped, status 77, without it).
set -u

: "${top_builddir:=..}"
CORRIDOR=${CORRIDOR:-$top_builddir/experiments/corridor}
if [ ! -x "$CORRIDOR" ]; then
    echo "test_train_resume: $CORRIDOR not built" >&2
    exit 99
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "test_train_resume: python3 not found, skipped" >&2
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_train_resume.XXXXXX") || exit 99
bgpid=
cleanup() {
    if [ -n "$bgpid" ]; then kill -9 "$bgpid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
SOURCE_DATE_EPOCH=0
export SOURCE_DATE_EPOCH
failed=0
fail() {
    echo "FAIL: $*"
    failed=$((failed + 1))
}

# The data: 4 classes of 8x8 images (tests/make_quadrant_idx.py).
python3 "${top_srcdir:-.}/tests/make_quadrant_idx.py" "$tmp/data" || exit 99

common="--model cnn-small --data idx:$tmp/data --method heavyball --lr 0.05 --beta 0.9 \
--batch 16 --steps 48 --seed 7 --deterministic --threads 1 --checkpoint-every 5"

# value NAME FILE: the value of row NAME of a summary table
value() {
    awk -F'\t' -v n="$1" '$1 == n { print $2 }' "$2"
}
# step_of FILE: the step recorded in a checkpoint's progress section
step_of() {
    grep -a -o 'step=[0-9]*' "$1" 2>/dev/null | head -1 | sed 's/step=//'
}

# 1. uninterrupted
# shellcheck disable=SC2086
"$CORRIDOR" train $common --checkpoint "$tmp/A.ckpt" --log "$tmp/A.tsv" >"$tmp/A.out" 2>"$tmp/A.err"
st=$?
[ $st -eq 0 ] || fail "run A exited $st: $(cat "$tmp/A.err")"
[ "$(value steps "$tmp/A.out")" = 48 ] || fail "run A did not report 48 steps"

# 2. killed mid-run, then resumed
# shellcheck disable=SC2086
"$CORRIDOR" train $common --checkpoint "$tmp/B.ckpt" --log "$tmp/B.tsv" --throttle 40 \
    >"$tmp/B1.out" 2>"$tmp/B1.err" &
bgpid=$!
waited=0
while :; do
    s=$(step_of "$tmp/B.ckpt")
    if [ -n "$s" ] && [ "$s" -ge 10 ]; then break; fi
    if ! kill -0 "$bgpid" 2>/dev/null; then break; fi
    sleep 0.05
    waited=$((waited + 1))
    if [ $waited -gt 1200 ]; then break; fi
done
sleep 0.13 # land between two checkpoints
kill -9 "$bgpid" 2>/dev/null
wait "$bgpid" 2>/dev/null
bst=$?
bgpid=
killed_at=$(step_of "$tmp/B.ckpt")
[ $bst -eq 137 ] || fail "run B was not killed mid-run (status $bst; checkpoint step ${killed_at:-none})"
[ -n "$killed_at" ] && [ "$killed_at" -lt 48 ] || fail "no mid-run checkpoint (step ${killed_at:-none})"
[ -f "$tmp/B.tsv" ] && fail "a killed run left a complete log"
[ -f "$tmp/B.tsv.partial" ] || fail "a killed run left no partial log"
"$CORRIDOR" train --resume "$tmp/B.ckpt" --steps 48 --checkpoint "$tmp/B.ckpt" \
    --log "$tmp/B.tsv" --threads 1 >"$tmp/B2.out" 2>"$tmp/B2.err"
st=$?
[ $st -eq 0 ] || fail "resume exited $st: $(cat "$tmp/B2.err")"

# 3. bit for bit
for k in steps params_crc32 state_crc32 train_loss test_loss test_accuracy; do
    a=$(value $k "$tmp/A.out")
    b=$(value $k "$tmp/B2.out")
    [ -n "$a" ] && [ "$a" = "$b" ] || fail "$k: uninterrupted '$a', killed at step $killed_at and resumed '$b'"
done
cmp -s "$tmp/A.ckpt" "$tmp/B.ckpt" || fail "final checkpoints differ"
grep -v '^#' "$tmp/A.tsv" >"$tmp/A.rows"
grep -v '^#' "$tmp/B.tsv" >"$tmp/B.rows" 2>/dev/null
cmp -s "$tmp/A.rows" "$tmp/B.rows" || fail "log rows differ after the resume"
[ "$(grep -c '^train' "$tmp/A.rows")" = 48 ] || fail "the log has not 48 train rows"
[ "$(grep -c '^test' "$tmp/A.rows")" = 3 ] || fail "the log has not 3 test rows (epochs of 16 steps)"
echo "resume: killed at checkpoint step $killed_at, params_crc32 $(value params_crc32 "$tmp/A.out") both"

# training did something: test accuracy above chance on this easy task
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 0.5 else 1)" \
    "$(value test_accuracy "$tmp/A.out")" || fail "test accuracy $(value test_accuracy "$tmp/A.out") <= 0.5"

# 4a. a contradicting option on resume
"$CORRIDOR" train --resume "$tmp/B.ckpt" --steps 60 --lr 0.1 >"$tmp/c.out" 2>"$tmp/c.err"
st=$?
[ $st -eq 2 ] || fail "contradicting --lr on resume: status $st"
grep -q "differs from the checkpoint" "$tmp/c.err" || fail "contradicting --lr: message '$(cat "$tmp/c.err")'"

# 4b. a corrupt checkpoint: one byte flipped in the middle (the parameters)
python3 - "$tmp/B.ckpt" "$tmp/bad.ckpt" <<'EOF' || exit 99
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0x10
open(sys.argv[2], "wb").write(b)
EOF
"$CORRIDOR" train --resume "$tmp/bad.ckpt" --steps 60 >"$tmp/d.out" 2>"$tmp/d.err"
st=$?
[ $st -eq 1 ] || fail "corrupt checkpoint: status $st"
grep -q "bad.ckpt: section '.*' (payload at byte offset [0-9]*.*checksum mismatch" "$tmp/d.err" \
    || fail "corrupt checkpoint: message '$(cat "$tmp/d.err")'"
[ "$(wc -l <"$tmp/d.err")" -eq 1 ] || fail "corrupt checkpoint: not one line"

# 4c. divergence
"$CORRIDOR" train --model mlp:64-8-4 --data "idx:$tmp/data" --method gd --lr 1e30 --batch 16 \
    --steps 20 --checkpoint "$tmp/div.ckpt" --log "$tmp/div.tsv" >"$tmp/e.out" 2>"$tmp/e.err"
st=$?
[ $st -eq 3 ] || fail "divergence: status $st"
grep -q "non-finite" "$tmp/e.err" || fail "divergence: message '$(cat "$tmp/e.err")'"
[ -f "$tmp/div.ckpt" ] || fail "divergence: no final checkpoint"
[ -f "$tmp/div.tsv" ] || fail "divergence: no log"
[ "$(value diverged "$tmp/e.out")" = yes ] || fail "divergence: summary says not diverged"

# bad input
"$CORRIDOR" train --model cnn-small --data idx:$tmp/data --method nosuch --lr 1 --steps 1 \
    >/dev/null 2>"$tmp/f.err"
[ $? -eq 2 ] || fail "unknown method: not status 2"
"$CORRIDOR" train --model cnn-small --data idx:$tmp/nowhere --method gd --lr 1 --steps 1 \
    >/dev/null 2>"$tmp/g.err"
[ $? -eq 1 ] || fail "missing data: not status 1"
grep -q "nowhere" "$tmp/g.err" || fail "missing data: message '$(cat "$tmp/g.err")'"

if [ $failed -ne 0 ]; then
    echo "test_train_resume: $failed failure(s)"
    exit 1
fi
echo "test_train_resume: all passed"
exit 0
