#!/bin/sh
# The drift experiments in --quick mode (exp_orders, exp_sgd, exp_hbmod): each exits 4 when a
# verdict of its `# summary` lines fails, so this test fails then; and `corridor run
# --compare` on PREDICTIONS case (iii) (GD h = 0.01, 100 steps, on 0.5(1-x)^2 + 5(y-x^2)^2
# from (-1.2, 1)), whose dist_flow and dist_igr must match the reference to 30 digits, plus
# the bad-input statuses of --compare.
set -u
exp=${top_builddir:-..}/experiments
dir=$(mktemp -d "${TMPDIR:-/tmp}/drift.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT
fail=0
for p in exp_orders exp_sgd exp_hbmod; do
    if "$exp/$p" --quick -o "$dir" 2>"$dir/$p.err"; then
        echo "ok: $p --quick"
    else
        echo "FAIL: $p --quick (status $?)"; cat "$dir/$p.err"; fail=1
    fi
done
for t in orders_sweep orders_fit orders_p4 sgd_coeffs sgd_epoch sgd_regulariser hbmod; do
    [ -s "$dir/$t.tsv" ] || { echo "FAIL: $t.tsv missing"; fail=1; }
done
n=$(grep -c '^# summary	.*	holds$' "$dir"/*.tsv | awk -F: '{s += $2} END {print s}')
[ "$n" -ge 16 ] || { echo "FAIL: only $n summary verdicts hold"; fail=1; }

# case (iii) through the driver, 30 digits
out=$("$exp/corridor" run --loss '0.5*(1-x)^2+5*(y-x^2)^2' --vars x,y --theta0 -1.2,1 \
      --method gd --lr 0.01 --steps 100 --every 100 --compare flow,igr,mod3 --digits 32) || {
    echo "FAIL: corridor run --compare"; exit 1; }
last=$(printf '%s\n' "$out" | tail -1)
gf=$(printf '%s\n' "$last" | cut -f9)
igr=$(printf '%s\n' "$last" | cut -f10)
case "$gf" in
0.0030030711042463726251061568605*) echo "ok: dist_flow $gf" ;;
*) echo "FAIL: dist_flow $gf"; fail=1 ;;
esac
case "$igr" in
0.0019302590555403943860054920718*) echo "ok: dist_igr $igr" ;;
*) echo "FAIL: dist_igr $igr"; fail=1 ;;
esac
printf '%s\n' "$out" | grep -q '^k	t	loss	grad_norm	hg_norm	lr	theta_1	theta_2	dist_flow	dist_igr	dist_mod3$' \
    || { echo "FAIL: header"; fail=1; }

# bad input: unknown name, repeated name, igr without --lr
for args in "--compare flow,foo" "--compare igr,igr" ; do
    "$exp/corridor" run --loss 'x^2' --theta0 1 --method gd --lr 0.1 --steps 2 $args \
        >/dev/null 2>&1
    [ $? -eq 2 ] || { echo "FAIL: $args should exit 2"; fail=1; }
done
"$exp/corridor" run --loss 'x^2' --theta0 1 --method clr --steps 2 --compare igr >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: --compare igr without --lr should exit 2"; fail=1; }
exit $fail
