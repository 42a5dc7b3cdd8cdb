# fig_orders.gp -- global errors of GD against GF, the IGR flow and MOD3 at fixed T over a
# sweep of h (left, log-log), and their local slopes, which tend to the orders 1, 2, 3
# (right). Reads only exp_orders's table resdir/orders_sweep.tsv
# (loss h steps err_gf err_igr err_mod3 ... slope_gf slope_igr slope_mod3 ...).
# Usage: gnuplot -e "resdir='results'; out='doc/figures/fig_orders.png'" fig_orders.gp
if (!exists("resdir")) resdir = "results"
if (!exists("out")) out = "fig_orders.png"
data = resdir . "/orders_sweep.tsv"

set terminal pngcairo size 1300,560 enhanced font "sans,11"
set output out
set datafile separator "\t"
set datafile commentschars "#"
set multiplot layout 1,2 title "GD vs GF (order 1), IGR flow (order 2), MOD3 (order 3) at T = 1"
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set xlabel "step size h"
set ylabel "|GD_N - flow(T)|"
set key right bottom font ",9"
set grid
losses = "ii i logistic3"
pt(i) = i == 1 ? 7 : i == 2 ? 5 : 9
plot for [i=1:3] data using 2:(strcol(1) eq word(losses,i) ? $4 : NaN) w lp pt pt(i) lc 1 \
         t sprintf("%s: GF", word(losses,i)), \
     for [i=1:3] data using 2:(strcol(1) eq word(losses,i) ? $5 : NaN) w lp pt pt(i) lc 2 \
         t sprintf("%s: IGR", word(losses,i)), \
     for [i=1:3] data using 2:(strcol(1) eq word(losses,i) ? $6 : NaN) w lp pt pt(i) lc 3 \
         t sprintf("%s: MOD3", word(losses,i))
unset logscale y
set format y "%g"
set ylabel "local slope log_2(err(h)/err(h/2))"
set yrange [0.5:3.5]
set key right center
plot for [i=1:3] data using 2:(strcol(1) eq word(losses,i) ? $10 : NaN) w lp pt pt(i) lc 1 \
         t sprintf("%s: GF", word(losses,i)), \
     for [i=1:3] data using 2:(strcol(1) eq word(losses,i) ? $11 : NaN) w lp pt pt(i) lc 2 \
         t sprintf("%s: IGR", word(losses,i)), \
     for [i=1:3] data using 2:(strcol(1) eq word(losses,i) ? $12 : NaN) w lp pt pt(i) lc 3 \
         t sprintf("%s: MOD3", word(losses,i))
unset multiplot
